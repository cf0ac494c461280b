import { describe, expect, it } from 'vitest';
import { formatMoney, parseAmount, toDecimalString } from './money';

const ok = (value: number) => ({ ok: true, value });

describe('toDecimalString', () => {
  it('places the decimal point by the ISO 4217 exponent', () => {
    expect(toDecimalString(1050, 'EUR')).toBe('10.50');
    expect(toDecimalString(5, 'EUR')).toBe('0.05');
    expect(toDecimalString(1050, 'JPY')).toBe('1050');
    expect(toDecimalString(1234, 'KWD')).toBe('1.234');
    expect(toDecimalString(-250, 'USD')).toBe('-2.50');
  });

  it('stays exact beyond what floating point division keeps', () => {
    expect(toDecimalString(9007199254740991, 'EUR')).toBe('90071992547409.91');
    expect(() => toDecimalString(2 ** 53, 'EUR')).toThrow(RangeError);
  });
});

describe('formatMoney', () => {
  it('formats per currency and locale from minor units', () => {
    expect(formatMoney({ value: 1050, currency: 'EUR' }, 'en-US')).toBe('€10.50');
    expect(formatMoney({ value: 1050, currency: 'EUR' }, 'de-DE')).toBe('10,50\u00a0€');
    expect(formatMoney({ value: 1050, currency: 'JPY' }, 'en-US')).toBe('¥1,050');
    expect(formatMoney({ value: 1234, currency: 'KWD' }, 'en-US')).toBe('KWD\u00a01.234');
    expect(formatMoney({ value: 123456789, currency: 'USD' }, 'en-US')).toBe('$1,234,567.89');
  });

  it('keeps every digit of large amounts', () => {
    expect(formatMoney({ value: 9007199254740991, currency: 'EUR' }, 'en-US')).toBe(
      '€90,071,992,547,409.91',
    );
  });

  it('does not guess the exponent of an unknown currency', () => {
    expect(formatMoney({ value: 1050, currency: 'XXX' }, 'en-US')).toBe('1050 XXX (minor units)');
  });
});

describe('parseAmount', () => {
  it('reads a decimal point or a decimal comma', () => {
    expect(parseAmount('10.50', 'EUR')).toEqual(ok(1050));
    expect(parseAmount('10,5', 'EUR')).toEqual(ok(1050));
    expect(parseAmount(' 4,10 ', 'EUR')).toEqual(ok(410));
    expect(parseAmount('0,01', 'EUR')).toEqual(ok(1));
    expect(parseAmount('10', 'EUR')).toEqual(ok(1000));
    expect(parseAmount(',5', 'EUR')).toEqual(ok(50));
  });

  it('reads grouping separators in either convention', () => {
    expect(parseAmount('1.234,56', 'EUR')).toEqual(ok(123456));
    expect(parseAmount('1,234.56', 'USD')).toEqual(ok(123456));
    expect(parseAmount('1 234,56', 'EUR')).toEqual(ok(123456));
    expect(parseAmount('1\u202f234,56', 'EUR')).toEqual(ok(123456));
    expect(parseAmount("1'234.50", 'CHF')).toEqual(ok(123450));
    expect(parseAmount('1.234.567', 'EUR')).toEqual(ok(123456700));
  });

  it('uses the currency exponent: JPY has none, KWD has three', () => {
    expect(parseAmount('1050', 'JPY')).toEqual(ok(1050));
    expect(parseAmount('1,050', 'JPY')).toEqual(ok(1050));
    expect(parseAmount('10.5', 'JPY')).toEqual({
      ok: false,
      error: 'JPY has no minor unit: enter a whole amount',
    });
    expect(parseAmount('1,234', 'KWD')).toEqual(ok(1234));
    expect(parseAmount('1.5', 'KWD')).toEqual(ok(1500));
  });

  it('refuses more decimals than the currency has, before any request', () => {
    expect(parseAmount('0.001', 'EUR')).toEqual({ ok: false, error: 'EUR has at most 2 decimals' });
    expect(parseAmount('4,105', 'EUR')).toMatchObject({ ok: false });
  });

  it('refuses an ambiguous lone separator with three digits after it', () => {
    expect(parseAmount('1,234', 'EUR')).toEqual({
      ok: false,
      error: '"1,234" is ambiguous: write 1234 or use 2 decimals',
    });
    expect(parseAmount('1.234', 'EUR')).toMatchObject({ ok: false });
  });

  it('refuses malformed input', () => {
    for (const input of ['', '  ', 'abc', '10.5.3,1', '1,2,3', '-5', '10€', '1.2,3', '12,34.56']) {
      expect(parseAmount(input, 'EUR').ok).toBe(false);
    }
    expect(parseAmount('10', 'EURO')).toEqual({
      ok: false,
      error: 'EURO is not an ISO 4217 currency',
    });
    expect(parseAmount('99999999999999999', 'EUR')).toEqual({
      ok: false,
      error: 'The amount is too large',
    });
  });
});
