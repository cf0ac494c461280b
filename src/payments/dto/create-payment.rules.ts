/**
 * The rules of a create body that are more than a decorator's arguments, in one place: the
 * decorators of the DTOs and the compiled check of the body (create-payment.compiled-check.ts)
 * read the same values, so the two cannot disagree on them.
 */

/** Options of `@IsUrl` (validator.js `isURL`) for returnUrl and cancelUrl. */
export const HTTP_URL = {
  require_protocol: true,
  protocols: ['http', 'https'],
  require_tld: false,
};

export const LOCALE = /^[a-z]{2}([_-][A-Z]{2})?$/;

export const E164_PHONE = /^\+[1-9]\d{6,14}$/;

export const VAT_RATE = /^\d{1,2}\.\d{2}$/;

export const METADATA_MAX_KEYS = 50;

/** At most `maxKeys` string values, keys of 1–64 and values of at most 512 UTF-16 units. */
export function isStringRecord(value: unknown, maxKeys: number): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length <= maxKeys &&
    Object.entries(value).every(
      ([k, v]) => k.length >= 1 && k.length <= 64 && typeof v === 'string' && v.length <= 512,
    )
  );
}
