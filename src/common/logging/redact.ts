/**
 * Scrubs what must never reach logs or stored provider transcripts: secrets by key name and
 * anything that looks like a card number (13-19 digits, optionally spaced or dashed).
 */
const SECRET_KEY =
  /(api[-_]?key|secret|password|token|authorization|cookie|hmac|credential|signature|cvc|cvv)/i;
const CARD_LIKE = /\b(?:\d[ -]?){12,18}\d\b/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;
const KEY_LIKE = /\b(sk|rk|pk|whsec|test|live|psk)_[A-Za-z0-9_]{8,}/g;
/** The password in a URL's user info (amqp://user:password@host). */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+):[^\s/@]+@/gi;
/** Query parameters that carry one-time codes rather than a secret-looking name. */
const CODE_PARAM = /^(code|state|code_verifier)$/i;

export function redactText(text: string): string {
  return text
    .replace(CARD_LIKE, '[REDACTED_NUMBER]')
    .replace(BEARER, '$1 [REDACTED]')
    .replace(KEY_LIKE, '$1_[REDACTED]')
    .replace(URL_PASSWORD, '$1:[REDACTED]@');
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[…]';
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value instanceof Date) return value;
  if (value instanceof Error) {
    return { type: value.name, message: redactText(value.message), stack: redact(value.stack) };
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = SECRET_KEY.test(key) ? '[REDACTED]' : redact(item, depth + 1);
    }
    return out;
  }
  return value;
}

/**
 * A request path with its query for a log line: values of secret-named or one-time-code
 * parameters replaced, the rest decoded and scrubbed like any text (a card number typed into
 * a search box stays out of the log).
 */
export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  const path = redactText(safeDecode(at === -1 ? url : url.slice(0, at)));
  if (at === -1) return path;
  const query = [...new URLSearchParams(url.slice(at + 1))].map(
    ([name, value]) =>
      `${name}=${SECRET_KEY.test(name) || CODE_PARAM.test(name) ? '[REDACTED]' : redactText(value)}`,
  );
  return `${path}?${query.join('&')}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
