import { ValidationError } from '../errors/domain-error';

/**
 * The instants JavaScript writes with a four-digit year, as every database reads them. A later
 * one is written `+010000-…`, which no database compares as the date it is (a filter with it
 * would silently match nothing, or everything).
 */
export const FIRST_INSTANT = new Date('0001-01-01T00:00:00.000Z');
export const LAST_INSTANT = new Date('9999-12-31T23:59:59.999Z');

const BARE_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/**
 * A query's ISO 8601 bound (`@IsISO8601` checked its form) as an instant. Refused with 400
 * naming the field when JavaScript cannot read it (week and ordinal dates, `20261130`: forms the
 * validator takes) or it lies outside FIRST_INSTANT..LAST_INSTANT.
 */
export function queryInstant(field: string, value: string): Date {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) {
    throw ValidationError.field(
      field,
      'must be a calendar date or date-time such as 2026-11-30 or 2026-11-30T12:00:00Z',
    );
  }
  if (at < FIRST_INSTANT || at > LAST_INSTANT)
    throw ValidationError.field(field, 'must lie between 0001-01-01 and 9999-12-31T23:59:59.999Z');
  return at;
}

/**
 * An exclusive upper bound where a bare date (`2026-11-30`, as date pickers send it) stands for
 * that whole UTC day. Undefined after the end of 9999-12-31: nothing is stored later, so there is
 * no bound to apply.
 */
export function queryEndOfDay(field: string, value: string): Date | undefined {
  const at = queryInstant(field, value);
  if (!BARE_DATE.test(value)) return at;
  const end = new Date(at.getTime() + DAY_MS);
  return end > LAST_INSTANT ? undefined : end;
}
