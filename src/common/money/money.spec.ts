import { currencyExponent, isKnownCurrency } from './currency';
import { fromDecimalString, MoneyFormatError, toDecimalString } from './money';

describe('currency exponents (ISO 4217)', () => {
  it.each([
    ['EUR', 2],
    ['USD', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['BHD', 3],
    ['KWD', 3],
    ['CLP', 0],
    ['XOF', 0],
  ])('%s has %i decimals', (code, exponent) => {
    expect(currencyExponent(code)).toBe(exponent);
  });

  it.each(['XYZ', 'eur', 'EURO', '', 'XAU', 'XXX', 'XTS', 'USN'])(
    'refuses %p as a payable currency',
    (code) => {
      expect(isKnownCurrency(code)).toBe(false);
    },
  );
});

describe('decimal amounts for PSPs that want them', () => {
  it.each([
    [1050, 'EUR', '10.50'],
    [5, 'EUR', '0.05'],
    [100, 'EUR', '1.00'],
    [1500, 'JPY', '1500'],
    [1234, 'BHD', '1.234'],
    [0, 'EUR', '0.00'],
    [9007199254740991, 'EUR', '90071992547409.91'],
  ])('%i %s is "%s" and back', (value, currency, decimal) => {
    expect(toDecimalString(value, currency)).toBe(decimal);
    expect(fromDecimalString(decimal, currency)).toBe(value);
  });

  it('reads decimals with fewer digits than the currency has', () => {
    expect(fromDecimalString('10.5', 'EUR')).toBe(1050);
    expect(fromDecimalString('10', 'EUR')).toBe(1000);
  });

  it('refuses more significant decimals than the currency has', () => {
    expect(() => fromDecimalString('10.505', 'EUR')).toThrow(MoneyFormatError);
    expect(() => fromDecimalString('1.5', 'JPY')).toThrow(MoneyFormatError);
    expect(fromDecimalString('10.500', 'EUR')).toBe(1050);
  });

  it('refuses non-integers, unsafe integers, junk and unknown currencies', () => {
    expect(() => toDecimalString(10.5, 'EUR')).toThrow(MoneyFormatError);
    expect(() => toDecimalString(2 ** 53, 'EUR')).toThrow(MoneyFormatError);
    expect(() => fromDecimalString('1e3', 'EUR')).toThrow(MoneyFormatError);
    expect(() => toDecimalString(100, 'XYZ')).toThrow(MoneyFormatError);
  });
});
