import { ValidationError } from '../errors/domain-error';

/**
 * An opaque keyset cursor: the sort key and id of the last row of a page, as base64url JSON.
 * A codec turns a key into a cursor and back; a cursor it cannot read is a 400 on `cursor`.
 */
export interface CursorCodec<K> {
  encode(key: K, id: string): string;
  decode(cursor: string): { key: K; id: string };
}

function encodeJson(payload: object): string {
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

function decodeJson<K>(
  cursor: string,
  read: (parsed: Record<string, unknown>) => { key: K; id: string } | undefined,
): { key: K; id: string } {
  try {
    const decoded = read(
      JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>,
    );
    if (decoded) return decoded;
  } catch {
    // falls through to the same answer as a well-formed cursor with the wrong contents
  }
  throw ValidationError.field('cursor', 'is not a cursor returned by this API');
}

/** For lists ordered by a timestamp (createdAt, receivedAt, at): `{ at, id }`. */
export const timeCursor: CursorCodec<Date> = {
  encode: (at, id) => encodeJson({ at: at.toISOString(), id }),
  decode: (cursor) =>
    decodeJson(cursor, (parsed) => {
      const at = new Date((parsed.at ?? '') as string);
      if (typeof parsed.id !== 'string' || Number.isNaN(at.getTime())) return undefined;
      return { key: at, id: parsed.id };
    }),
};

/** For lists ordered by an integer (a routing rule's priority): `{ p, id }`. */
export const integerCursor: CursorCodec<number> = {
  encode: (p, id) => encodeJson({ p, id }),
  decode: (cursor) =>
    decodeJson(cursor, (parsed) => {
      if (typeof parsed.id !== 'string' || !Number.isSafeInteger(parsed.p)) return undefined;
      return { key: parsed.p as number, id: parsed.id };
    }),
};

/** The (createdAt, id) of the last row of a page as a cursor. */
export function encodeCursor(at: Date, id: string): string {
  return timeCursor.encode(at, id);
}

export function decodeCursor(cursor: string): { at: Date; id: string } {
  const { key, id } = timeCursor.decode(cursor);
  return { at: key, id };
}
