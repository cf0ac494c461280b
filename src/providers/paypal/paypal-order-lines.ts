import type { Money } from '../../common/money/money';
import type { Address, OrderLine } from '../../domain/order-details';
import type { CreatePaymentRequest } from '../provider.interface';
import { ProviderError } from '../provider-error';
import type { PayPalMoney } from './paypal.types';

type ToMoney = (money: Money) => PayPalMoney;

const sum = (lines: OrderLine[], currency: string): Money => ({
  currency,
  value: lines.reduce((total, line) => total + line.totalAmount.value, 0),
});

type PurchaseUnitAmount = {
  amount: PayPalMoney & { breakdown?: Record<string, PayPalMoney> };
  items?: object[];
};

/**
 * The purchase unit's `items` and `amount.breakdown`. Our prices include VAT, so an item's
 * unit_amount is its unitPrice and no tax is split out; shipping lines go to `shipping`,
 * surcharges to `handling`, discounts to `discount`: PayPal then finds amount = item_total +
 * shipping + handling − discount, as our lines add up to it. A line PayPal cannot express (a
 * fractional unit price in HUF or TWD, which PayPal takes in whole units) leaves the lines
 * out: the order is sent with its amount only, which is whole.
 */
export function paypalItems(request: CreatePaymentRequest, toMoney: ToMoney): PurchaseUnitAmount {
  const amount = toMoney(request.amount);
  if (!request.lines) return { amount };
  try {
    return withLines(request, request.lines, amount, toMoney);
  } catch (error) {
    if (error instanceof ProviderError && error.code === 'invalid_request') return { amount };
    throw error;
  }
}

function withLines(
  request: CreatePaymentRequest,
  lines: OrderLine[],
  amount: PayPalMoney,
  toMoney: ToMoney,
): PurchaseUnitAmount {
  const currency = request.amount.currency;
  const of = (type: string) => lines.filter((line) => (line.type ?? 'physical') === type);
  const goods = lines.filter(
    (line) => !['shipping_fee', 'surcharge', 'discount'].includes(line.type ?? 'physical'),
  );
  const breakdown: Record<string, PayPalMoney> = { item_total: toMoney(sum(goods, currency)) };
  if (of('shipping_fee').length) breakdown.shipping = toMoney(sum(of('shipping_fee'), currency));
  if (of('surcharge').length) breakdown.handling = toMoney(sum(of('surcharge'), currency));
  if (of('discount').length) {
    const discount = sum(of('discount'), currency);
    breakdown.discount = toMoney({ currency, value: -discount.value });
  }
  return {
    amount: { ...amount, breakdown },
    items: goods.map((line) => ({
      name: paypalText(line.name, 127),
      unit_amount: toMoney(line.unitPrice),
      quantity: String(line.quantity),
      ...(line.sku ? { sku: paypalText(line.sku, 127) } : {}),
      category: line.type === 'digital' ? 'DIGITAL_GOODS' : 'PHYSICAL_GOODS',
    })),
  };
}

function portable(address: Address) {
  return {
    address_line_1: address.streetAndNumber,
    admin_area_2: address.city,
    ...(address.region ? { admin_area_1: address.region } : {}),
    postal_code: address.postalCode,
    // Our API takes capitals only, as PayPal's country_code pattern ^([A-Z]{2}|C2)$ does.
    country_code: address.country,
  };
}

/** The purchase unit's `shipping`: the name and address PayPal shows and may not change. */
export function paypalShipping(request: CreatePaymentRequest): object | undefined {
  const address = request.shippingAddress;
  if (!address) return undefined;
  return {
    type: 'SHIPPING',
    name: { full_name: paypalText(`${address.givenName} ${address.familyName}`, 300) },
    address: portable(address),
  };
}

/**
 * What `payment_source.paypal` pre-fills for the buyer: the billing name and address and the
 * email. The phone is left out: PayPal wants it split into country code and national number.
 */
export function paypalPayer(request: CreatePaymentRequest): Record<string, unknown> {
  const billing = request.billingAddress;
  const email = billing?.email ?? request.customer?.email;
  return {
    ...(email ? { email_address: email } : {}),
    ...(billing
      ? {
          name: { given_name: billing.givenName, surname: billing.familyName },
          address: portable(billing),
        }
      : {}),
  };
}

/**
 * A text cut to PayPal's maximum length by code point: a cut by UTF-16 unit can leave half a
 * surrogate pair (an emoji), which PayPal refuses (400) as invalid JSON text.
 */
export function paypalText(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max).join('');
}
