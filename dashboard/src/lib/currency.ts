import { data } from 'currency-codes';

/**
 * ISO 4217 minor-unit exponents from the same data set (`currency-codes`) and with the same
 * rules as the server (src/common/money/currency.ts): funds codes and precious metals are not
 * payable currencies.
 */
const NOT_PAYABLE = new Set(['BOV', 'CHE', 'CHW', 'CLF', 'COU', 'MXV', 'USN', 'UYI', 'UYW']);
const PAYABLE_X_CODES = new Set(['XAF', 'XCD', 'XCG', 'XOF', 'XPF']);

const EXPONENTS = new Map<string, number>(
  data
    .filter((entry) => typeof entry.digits === 'number')
    .filter(
      (entry) =>
        !NOT_PAYABLE.has(entry.code) &&
        (!entry.code.startsWith('X') || PAYABLE_X_CODES.has(entry.code)),
    )
    .map((entry) => [entry.code, entry.digits]),
);

export function currencyExponent(code: string): number | undefined {
  return EXPONENTS.get(code);
}

/** Every payable ISO 4217 code with its name, for pickers. */
export const CURRENCIES: { code: string; name: string }[] = data
  .filter((entry) => EXPONENTS.has(entry.code))
  .map((entry) => ({ code: entry.code, name: entry.currency }))
  .sort((a, b) => a.code.localeCompare(b.code));
