import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Unguessable prefixed id: 24 base62 characters (~143 bits) from the CSPRNG. */
export function newId(prefix: string, length = 24): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  for (let i = 0; i < bytes.length && out.length < length; i++) {
    // Rejection sampling keeps the distribution uniform: 248 = 4 * 62.
    if (bytes[i] < 248) out += ALPHABET[bytes[i] % 62];
  }
  return out.length === length ? `${prefix}_${out}` : newId(prefix, length);
}

export const ID_PREFIX = {
  payment: 'pay',
  refund: 're',
  event: 'evt',
  attempt: 'att',
  integration: 'int',
  apiKey: 'key',
  providerAccount: 'pa',
  webhookDelivery: 'whd',
  idempotency: 'idem',
  paymentEvent: 'pev',
} as const;
