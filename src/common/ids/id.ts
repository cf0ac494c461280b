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

/** Base 36 in lower case: every collation (case-insensitive ones too) sorts it by value. */
const TIME_CHARS = 8;
/** Characters after the prefix: what `newId` makes unless told otherwise. */
const ID_LENGTH = 24;

/**
 * Unguessable prefixed id, in creation order: 8 characters of milliseconds since the epoch
 * (base 36, enough until 2059) and 16 random base62 characters (~95 bits from the CSPRNG).
 * Ids made close in time sit next to each other in every index they are a key of (the primary
 * keys, and `paymentId` in the tables that refer to a payment), so an insert writes to the last
 * page of each index instead of a random one: fewer pages written per transaction (SQLite's
 * WAL, PostgreSQL's, InnoDB's clustered primary key) and fewer read back into the cache.
 */
export function newId(prefix: string, length = ID_LENGTH): string {
  let out = Date.now().toString(36).padStart(TIME_CHARS, '0');
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

/**
 * Whether `value` has the shape of an id `newId(prefix)` makes: the prefix, `_` and ID_LENGTH
 * characters of the alphabet. What fails this was never issued, so names nothing stored.
 */
export function isIssuedId(prefix: string, value: string): boolean {
  return (
    value.length === prefix.length + 1 + ID_LENGTH &&
    value.startsWith(`${prefix}_`) &&
    /^[0-9A-Za-z]+$/.test(value.slice(prefix.length + 1))
  );
}
