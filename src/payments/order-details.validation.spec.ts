import type { CreatePaymentDto } from './dto/create-payment.dto';
import { orderDetailsErrors } from './order-details.validation';
import { vatIncluded } from '../domain/order-details';
import { splitName, splitStreet } from '../providers/street-address';
import { unitPriceExcludingTax } from '../providers/multisafepay/multisafepay-order-lines';

describe('order detail arithmetic', () => {
  it.each([
    [2000, '21.00', 347],
    [1000, '21.00', 174],
    [-100, '21.00', -17],
    [1500, '10.00', 136],
    [999, '9.00', 82],
    [Number.MAX_SAFE_INTEGER, '21.00', 1563232928508767],
  ])(
    'the VAT in %i at %s%% is %i (half away from zero, exact for any safe integer)',
    (total, rate, vat) => {
      expect(vatIncluded(total, rate)).toBe(vat);
    },
  );

  it.each([
    ['Keizersgracht 126', 'Keizersgracht', '126'],
    ['Damrak 1A', 'Damrak', '1A'],
    ['Hauptstraße 5 b', 'Hauptstraße', '5 b'],
    ['350 Fifth Avenue', 'Fifth Avenue', '350'],
    ['Het Hooge Huys', 'Het Hooge Huys', ''],
  ])('splits "%s" into street "%s" and number "%s"', (text, street, houseNumber) => {
    expect(splitStreet(text)).toEqual({ street, houseNumber });
  });

  it('splits a name at the first space, and not a single word', () => {
    expect(splitName('Jan van Dijk')).toEqual({ first: 'Jan', last: 'van Dijk' });
    expect(splitName('Cher')).toBeUndefined();
  });

  it('MultiSafepay unit prices exclude VAT with 10 decimals and come back to the price', () => {
    const unit = unitPriceExcludingTax({
      name: 'x',
      quantity: 3,
      unitPrice: { value: 1000, currency: 'EUR' },
      totalAmount: { value: 3000, currency: 'EUR' },
      vatRate: '21.00',
    });
    expect(unit).toBe(8.2644628099);
    expect(Math.round(unit * 3 * 1.21 * 100)).toBe(3000);
  });
});

describe('orderDetailsErrors', () => {
  const line = (type: string, value: number) => ({
    type,
    name: type,
    quantity: 1,
    unitPrice: { value, currency: 'EUR' },
    totalAmount: { value, currency: 'EUR' },
  });

  it('adds the line totals exactly, also past 2^53 where a Number sum rounds', () => {
    const max = Number.MAX_SAFE_INTEGER;
    // max + 1 + 1 − max is 2; added as Numbers it comes to 1.
    const dto = {
      amount: { value: 1, currency: 'EUR' },
      lines: [
        line('physical', max),
        line('physical', 1),
        line('physical', 1),
        line('discount', -max),
      ],
    } as unknown as CreatePaymentDto;
    expect(orderDetailsErrors(dto)).toEqual([
      { field: 'lines', message: 'the totalAmounts add up to 2, not to amount.value 1' },
    ]);
    expect(orderDetailsErrors({ ...dto, amount: { value: 2, currency: 'EUR' } })).toEqual([]);
  });
});
