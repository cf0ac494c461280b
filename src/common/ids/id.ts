import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

// CSPRNG bytes are drawn in blocks (one system call per block, not per id); each byte is used once.
const pool = Buffer.alloc(4096);
let offset = pool.length;

function nextRandomByte(): number {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  return pool[offset++];
}

/** Unguessable prefixed id: 24 base62 characters (~143 bits) from the CSPRNG. */
export function newId(prefix: string, length = 24): string {
  let out = '';
  while (out.length < length) {
    // Rejection sampling keeps the distribution uniform: 248 = 4 * 62.
    const byte = nextRandomByte();
    if (byte < 248) out += ALPHABET[byte % 62];
  }
  return `${prefix}_${out}`;
}

export const ID_PREFIX = {
  payment: 'pay',
  refund: 're',
  event: 'evt',
  attempt: 'att',
  integration: 'int',
  apiKey: 'key',
  providerAccount: 'pa',
  webhookDelivery: 'whk',
  idempotency: 'idem',
  paymentEvent: 'pev',
  operation: 'op',
} as const;
