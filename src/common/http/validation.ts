import { ValidationPipe } from '@nestjs/common';
import type { ArgumentMetadata, ValidationPipeOptions } from '@nestjs/common';
import type { ValidationError as ClassValidatorError } from 'class-validator';
import { FieldError, ValidationError } from '../errors/domain-error';
import { cacheValidationMetadata } from './validation-metadata-cache';
import { compiledCheckOf } from './compiled-check';

function flatten(errors: ClassValidatorError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    // Array items as `lines[1].totalAmount`, the way the services name them too.
    const field = !parent
      ? error.property
      : /^\d+$/.test(error.property)
        ? `${parent}[${error.property}]`
        : `${parent}.${error.property}`;
    if (error.value === undefined && error.constraints && !error.constraints.whitelistValidation) {
      return [{ field, message: 'is required' }];
    }
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({
      field,
      message:
        rule === 'whitelistValidation'
          ? 'is not a known field'
          : message.replace(new RegExp(`^${error.property} `), ''),
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * A body whose class has a compiled check (`@CheckedFirstBy`) and passes it is taken as the check
 * built it; any other goes through class-transformer and class-validator. Global pipes run before
 * a route's own, so the choice has to be made here rather than in a pipe on the route.
 */
class ValidationPipeWithCompiledChecks extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && metadata.metatype) {
      const accepted = compiledCheckOf(metadata.metatype)?.accept(value);
      if (accepted !== undefined) return accepted;
    }
    return super.transform(value, metadata);
  }
}

const options = (): ValidationPipeOptions => ({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors) => new ValidationError(flatten(errors)),
});

/** Unknown fields are refused; every failure names its field (e.g. `amount.currency`). */
export function createValidationPipe(): ValidationPipe {
  cacheValidationMetadata();
  return new ValidationPipeWithCompiledChecks(options());
}

/** The same rules without the compiled checks: what those are tested against. */
export function createClassValidatorPipe(): ValidationPipe {
  cacheValidationMetadata();
  return new ValidationPipe(options());
}
