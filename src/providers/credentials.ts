import type { FieldError } from '../common/errors/domain-error';

/** `is required` for each of `fields` that is missing, not a string, or blank. */
export function requireStrings(
  credentials: Record<string, unknown>,
  fields: readonly string[],
): FieldError[] {
  return fields
    .filter((field) => {
      const value = credentials[field];
      return typeof value !== 'string' || !value.trim();
    })
    .map((field) => ({ field, message: 'is required' }));
}
