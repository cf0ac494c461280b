/**
 * How deeply a JSON body may nest objects and arrays. Real bodies stay under about 8 (a payment
 * with lines and addresses is 4, an Adyen notification 5); 32 leaves room for any of them while
 * keeping every recursive walk over a parsed body (class-transformer, Nest's ValidationPipe,
 * our own) far from the stack limit and a 1 MB body cheap to parse.
 */
export const MAX_JSON_DEPTH = 32;

/** What `scanJson` found: nesting over the limit, a `\u0000` escape in a string, or neither. */
export type JsonScanFinding = 'too_deep' | 'nul' | 'ok';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const LOWER_U = 0x75;
const ZERO = 0x30;

/**
 * One pass over the raw bytes of a JSON text, before it is parsed: stops as soon as objects and
 * arrays nest deeper than `maxDepth`, and notes a `\u0000` escape inside a string. Brackets in
 * strings do not count; an escape is skipped whole, so `\"` does not end a string and `\\u0000`
 * is a backslash followed by the text `u0000`. For a valid JSON text the depth is exact; an
 * invalid one fails to parse no later than where the scan lost track. Works on UTF-8 (no byte of
 * a multi-byte character is ASCII), not on UTF-16.
 */
export function scanJson(bytes: Uint8Array, maxDepth = MAX_JSON_DEPTH): JsonScanFinding {
  let depth = 0;
  let inString = false;
  let nul = false;
  const length = bytes.length;
  for (let i = 0; i < length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === QUOTE) {
        inString = false;
      } else if (byte === BACKSLASH) {
        i++;
        if (
          bytes[i] === LOWER_U &&
          bytes[i + 1] === ZERO &&
          bytes[i + 2] === ZERO &&
          bytes[i + 3] === ZERO &&
          bytes[i + 4] === ZERO
        )
          nul = true;
      }
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > maxDepth) return 'too_deep';
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    }
  }
  return nul ? 'nul' : 'ok';
}
