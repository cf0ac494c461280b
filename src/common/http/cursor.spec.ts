import { ValidationError } from '../errors/domain-error';
import { decodeCursor, encodeCursor, integerCursor, timeCursor } from './cursor';

const raw = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url');

function refusal(decode: () => unknown): ValidationError {
  try {
    decode();
  } catch (error) {
    return error as ValidationError;
  }
  throw new Error('the cursor was accepted');
}

describe('timeCursor', () => {
  const at = new Date('2026-03-01T10:20:30.456Z');

  it('reads back the timestamp and id it wrote', () => {
    expect(timeCursor.decode(timeCursor.encode(at, 'pay_1'))).toEqual({ key: at, id: 'pay_1' });
  });

  it('keeps the wire format of encodeCursor/decodeCursor ({ at, id } as base64url JSON)', () => {
    expect(encodeCursor(at, 'pay_1')).toBe(raw({ at: at.toISOString(), id: 'pay_1' }));
    expect(decodeCursor(raw({ at: at.toISOString(), id: 'x' }))).toEqual({ at, id: 'x' });
  });

  it.each([
    ['not base64 JSON', 'not-a-cursor'],
    ['a JSON null', raw(null)],
    ['no id', raw({ at: '2026-01-01T00:00:00Z' })],
    ['a bad date', raw({ at: 'yesterday', id: 'x' })],
    ['a rule cursor', raw({ p: 3, id: 'x' })],
  ])('refuses %s with a 400 on the cursor field', (_, cursor) => {
    const error = refusal(() => timeCursor.decode(cursor));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.errors).toEqual([
      { field: 'cursor', message: 'is not a cursor returned by this API' },
    ]);
  });
});

describe('integerCursor', () => {
  it('reads back the integer and id it wrote, as { p, id }', () => {
    expect(integerCursor.encode(7, 'rr_1')).toBe(raw({ p: 7, id: 'rr_1' }));
    expect(integerCursor.decode(integerCursor.encode(-2, 'rr_1'))).toEqual({ key: -2, id: 'rr_1' });
  });

  it.each([
    ['a fraction', raw({ p: 1.5, id: 'x' })],
    ['a string priority', raw({ p: '1', id: 'x' })],
    ['a time cursor', raw({ at: '2026-01-01T00:00:00Z', id: 'x' })],
    ['garbage', '%%%'],
  ])('refuses %s with a 400 on the cursor field', (_, cursor) => {
    const error = refusal(() => integerCursor.decode(cursor));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.errors?.[0]?.field).toBe('cursor');
  });
});
