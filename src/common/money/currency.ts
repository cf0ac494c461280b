import * as currencyCodes from 'currency-codes';

/**
 * ISO 4217 minor-unit exponents from the `currency-codes` data set. Funds codes and
 * precious metals (no exponent) are not payable currencies and are refused.
 */
const NOT_PAYABLE = new Set(['BOV', 'CHE', 'CHW', 'CLF', 'COU', 'MXV', 'USN', 'UYI', 'UYW']);
const PAYABLE_X_CODES = new Set(['XAF', 'XCD', 'XCG', 'XOF', 'XPF']);

export function currencyExponent(code: string): number | undefined {
  if (!/^[A-Z]{3}$/.test(code)) return undefined;
  // X-codes are metals, SDRs and test codes, except the few real regional currencies.
  if (NOT_PAYABLE.has(code) || (code.startsWith('X') && !PAYABLE_X_CODES.has(code))) {
    return undefined;
  }
  const entry = currencyCodes.code(code);
  if (!entry || typeof entry.digits !== 'number') return undefined;
  return entry.digits;
}

export function isKnownCurrency(code: string): boolean {
  return currencyExponent(code) !== undefined;
}
