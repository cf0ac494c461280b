import { currencyExponent } from './currency';

/** Money always travels as integer minor units plus an ISO 4217 code. */
export interface Money {
  value: number;
  currency: string;
}

export class MoneyFormatError extends Error {}

function exponentOf(currency: string): number {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) throw new MoneyFormatError(`unknown currency ${currency}`);
  return exponent;
}

/**
 * Minor units to the decimal string some PSPs want ("10.50" for 1050 EUR, "1050" for JPY).
 * String arithmetic only: no floating point on the money path.
 */
export function toDecimalString(value: number, currency: string): string {
  if (!Number.isSafeInteger(value)) throw new MoneyFormatError('amount must be a safe integer');
  const exponent = exponentOf(currency);
  const negative = value < 0;
  const digits = String(Math.abs(value)).padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = exponent > 0 ? '.' + digits.slice(digits.length - exponent) : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/** The inverse of toDecimalString; refuses more fraction digits than the currency has. */
export function fromDecimalString(decimal: string, currency: string): number {
  const exponent = exponentOf(currency);
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(decimal.trim());
  if (!match) throw new MoneyFormatError(`not a decimal amount: "${decimal}"`);
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > exponent) {
    if (/[^0]/.test(fraction.slice(exponent))) {
      throw new MoneyFormatError(`${currency} has ${exponent} decimals: "${decimal}"`);
    }
  }
  const minor = whole + fraction.slice(0, exponent).padEnd(exponent, '0');
  const value = Number(minor.replace(/^0+(?=\d)/, ''));
  if (!Number.isSafeInteger(value)) throw new MoneyFormatError('amount too large');
  return sign ? -value : value;
}
