/**
 * Services throw DomainErrors (never HTTP exceptions); ProblemDetailsFilter maps each code to
 * an HTTP status and an RFC 9457 body.
 */
export interface FieldError {
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly title: string,
    message: string,
    readonly errors?: FieldError[],
  ) {
    super(message);
  }
}

export class ValidationError extends DomainError {
  constructor(errors: FieldError[]) {
    super(
      'validation_failed',
      400,
      'Validation failed',
      errors.map((e) => `${e.field}: ${e.message}`).join('; '),
      errors,
    );
  }

  static field(field: string, message: string): ValidationError {
    return new ValidationError([{ field, message }]);
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, id: string) {
    super('not_found', 404, 'Not found', `${what} ${id} does not exist`);
  }
}

export class InvalidPaymentStateError extends DomainError {
  constructor(message: string) {
    super('invalid_payment_state', 409, 'Invalid payment state', message);
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, message: string) {
    super(code, 409, 'Conflict', message);
  }
}

export class UnprocessableError extends DomainError {
  constructor(code: string, title: string, message: string) {
    super(code, 422, title, message);
  }
}

export class UnauthorizedError extends DomainError {
  constructor(message = 'Missing or invalid credentials') {
    super('unauthorized', 401, 'Unauthorized', message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'Not allowed') {
    super('forbidden', 403, 'Forbidden', message);
  }
}

/** A provider call failed in a way the shop can only retry later. */
export class ProviderFailureError extends DomainError {
  constructor(code: string, message: string) {
    super(code, 502, 'Provider request failed', message);
  }
}
