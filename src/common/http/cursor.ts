import { ValidationError } from '../errors/domain-error';

/** Opaque keyset cursor: the (createdAt, id) of the last row of a page. */
export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify({ at: at.toISOString(), id })).toString('base64url');
}

export function decodeCursor(cursor: string): { at: Date; id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      at?: string;
      id?: string;
    };
    const at = new Date(parsed.at ?? '');
    if (typeof parsed.id !== 'string' || Number.isNaN(at.getTime())) throw new Error('bad cursor');
    return { at, id: parsed.id };
  } catch {
    throw ValidationError.field('cursor', 'is not a cursor returned by this API');
  }
}
