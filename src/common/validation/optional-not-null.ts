import { ValidateIf } from 'class-validator';

/**
 * A field that may be left out but not sent as `null`: the field's own rules then refuse null
 * (400 naming it). `@IsOptional()` skips null as well, which for a column that cannot be empty
 * would reach the database and fail there. Fields where null means something (clear the link,
 * the PSP's own URL) keep `@IsOptional()`.
 */
export const IsOptionalNotNull = (): PropertyDecorator =>
  ValidateIf((_, value) => value !== undefined);
