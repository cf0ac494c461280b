import { LAST_INSTANT, queryEndOfDay, queryInstant } from './query-instant';

describe('query instants', () => {
  it('reads ISO 8601 dates and date-times as instants', () => {
    expect(queryInstant('from', '2026-11-30').toISOString()).toBe('2026-11-30T00:00:00.000Z');
    expect(queryInstant('from', '2026-11-30T12:00:00+02:00').toISOString()).toBe(
      '2026-11-30T10:00:00.000Z',
    );
  });

  it.each(['2026-W05', '2026-123', '20261130'])(
    'refuses %s, which JavaScript cannot read, naming the field',
    (value) => {
      expect(() => queryInstant('createdFrom', value)).toThrow(
        expect.objectContaining({
          status: 400,
          errors: [expect.objectContaining({ field: 'createdFrom' })],
        }),
      );
    },
  );

  it('refuses instants beyond year 9999 or before year 1, naming the field', () => {
    for (const value of [
      '9999-12-31T23:00:00-05:00',
      '+010000-01-01T00:00:00Z',
      '-000001-01-01T00:00:00Z',
    ])
      expect(() => queryInstant('to', value)).toThrow(
        expect.objectContaining({ errors: [expect.objectContaining({ field: 'to' })] }),
      );
    expect(queryInstant('to', '9999-12-31T23:59:59.999Z')).toEqual(LAST_INSTANT);
  });

  it('ends a bare date with its UTC day, and the last day with no bound', () => {
    expect(queryEndOfDay('to', '2026-11-30')?.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(queryEndOfDay('to', '2026-11-30T08:00:00Z')?.toISOString()).toBe(
      '2026-11-30T08:00:00.000Z',
    );
    expect(queryEndOfDay('to', '9999-12-31')).toBeUndefined();
    expect(queryEndOfDay('to', '9999-12-30')?.toISOString()).toBe('9999-12-31T00:00:00.000Z');
  });
});
