/**
 * Scrubs what must never reach logs or stored provider transcripts: secrets by key name and
 * anything that looks like a card number (13-19 digits, optionally spaced or dashed).
 */
const SECRET_KEY =
  /(api[-_]?key|secret|password|token|authorization|hmac|credential|signature|cvc|cvv)/i;
const CARD_LIKE = /\b(?:\d[ -]?){12,18}\d\b/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;
const KEY_LIKE = /\b(sk|rk|pk|whsec|test|live|psk)_[A-Za-z0-9_]{8,}/g;

export function redactText(text: string): string {
  return text
    .replace(CARD_LIKE, '[REDACTED_NUMBER]')
    .replace(BEARER, '$1 [REDACTED]')
    .replace(KEY_LIKE, '$1_[REDACTED]');
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[…]';
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = SECRET_KEY.test(key) ? '[REDACTED]' : redact(item, depth + 1);
    }
    return out;
  }
  return value;
}
