import { currencyExponent } from './currency';

/** Money as the API sends it: integer minor units and an ISO 4217 code. */
export interface Money {
  value: number;
  currency: string;
}

/**
 * 1050 EUR → "10.50", 1050 JPY → "1050": string arithmetic on the integer, never floating point.
 * Unknown currencies are shown in minor units (exponent 0) rather than guessed.
 */
export function toDecimalString(value: number, currency: string): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`);
  const exponent = currencyExponent(currency) ?? 0;
  const digits = String(Math.abs(value)).padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = exponent > 0 ? `.${digits.slice(digits.length - exponent)}` : '';
  return `${value < 0 ? '-' : ''}${whole}${fraction}`;
}

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(
  currency: string,
  locale: string | undefined,
  exponent: number,
): Intl.NumberFormat {
  const key = `${locale ?? ''}|${currency}`;
  let nf = formatters.get(key);
  if (!nf) {
    try {
      nf = new Intl.NumberFormat(locale, {
        style: 'currency',
        currency,
        minimumFractionDigits: exponent,
        maximumFractionDigits: exponent,
      });
    } catch {
      nf = new Intl.NumberFormat(locale, {
        minimumFractionDigits: exponent,
        maximumFractionDigits: exponent,
      });
    }
    formatters.set(key, nf);
  }
  return nf;
}

/**
 * "€10.50", "¥1,050", "10,50 €" (per locale) from minor units, with the ISO 4217 exponent of the
 * currency. The decimal string is handed to Intl as a string, which formats it exactly.
 */
export function formatMoney(money: Money, locale?: string): string {
  const exponent = currencyExponent(money.currency);
  if (exponent === undefined) return `${money.value} ${money.currency} (minor units)`;
  const decimal = toDecimalString(money.value, money.currency);
  return formatter(money.currency, locale, exponent).format(decimal as Intl.StringNumericLiteral);
}

/** The number a chart plots (display only: money itself never goes through floating point). */
export function toChartNumber(money: Money): number {
  return Number(toDecimalString(money.value, money.currency));
}

export type ParsedAmount = { ok: true; value: number } | { ok: false; error: string };

const GROUP_CHARS = /[\s\u00a0\u202f']/g;

/** "1.234.567" or "1,234" style: groups of three digits after a first group of one to three. */
function isGrouped(text: string, separator: string): boolean {
  const parts = text.split(separator);
  return /^\d{1,3}$/.test(parts[0]!) && parts.slice(1).every((part) => /^\d{3}$/.test(part));
}

/**
 * An amount typed in major units, in the currency's own precision, to minor units:
 * "10,5" and "10.50" are 1050 EUR cents; "1.234,56", "1,234.56" and "1 234,56" are 123456;
 * "1050" JPY is 1050. A lone separator followed by three digits ("1,234" in EUR) could be either
 * and is refused rather than guessed.
 */
export function parseAmount(input: string, currency: string): ParsedAmount {
  const exponent = currencyExponent(currency);
  if (exponent === undefined)
    return { ok: false, error: `${currency || 'The currency'} is not an ISO 4217 currency` };
  const text = input.trim().replace(GROUP_CHARS, '');
  if (!text) return { ok: false, error: 'Enter an amount' };
  if (text.startsWith('-')) return { ok: false, error: 'Enter a positive amount' };
  if (!/^[\d.,]+$/.test(text) || !/\d/.test(text))
    return { ok: false, error: 'Enter digits and at most one decimal separator' };

  const lastDot = text.lastIndexOf('.');
  const lastComma = text.lastIndexOf(',');
  let whole: string;
  let fraction = '';
  if (lastDot === -1 && lastComma === -1) {
    whole = text;
  } else {
    const decimalChar = lastDot > lastComma ? '.' : ',';
    const otherChar = decimalChar === '.' ? ',' : '.';
    const at = Math.max(lastDot, lastComma);
    const before = text.slice(0, at);
    const after = text.slice(at + 1);
    const onlyOneKind = !text.includes(otherChar);
    const count = text.split(decimalChar).length - 1;
    if (onlyOneKind && count > 1) {
      // "1.234.567": grouping only.
      if (!isGrouped(text, decimalChar))
        return { ok: false, error: 'Enter digits and at most one decimal separator' };
      whole = text.split(decimalChar).join('');
    } else if (
      onlyOneKind &&
      after.length === 3 &&
      exponent !== 3 &&
      isGrouped(text, decimalChar) &&
      !before.startsWith('0')
    ) {
      // "1,234": a thousands separator, or (where the currency has three decimals) a decimal one.
      if (exponent > 0)
        return {
          ok: false,
          error: `"${input.trim()}" is ambiguous: write ${before}${after} or use ${exponent} decimals`,
        };
      whole = before + after;
    } else {
      if (!onlyOneKind && !isGrouped(before, otherChar))
        return { ok: false, error: 'Enter digits and at most one decimal separator' };
      whole = before.split(otherChar).join('');
      fraction = after;
      if (!/^\d+$/.test(fraction))
        return { ok: false, error: 'Enter digits after the decimal separator' };
      if (fraction.length > exponent) {
        return {
          ok: false,
          error:
            exponent === 0
              ? `${currency} has no minor unit: enter a whole amount`
              : `${currency} has at most ${exponent} decimal${exponent === 1 ? '' : 's'}`,
        };
      }
    }
  }
  if (!whole) whole = '0';
  const minor = `${whole}${fraction.padEnd(exponent, '0')}`.replace(/^0+(?=\d)/, '');
  const value = Number(minor);
  if (!Number.isSafeInteger(value)) return { ok: false, error: 'The amount is too large' };
  return { ok: true, value };
}
