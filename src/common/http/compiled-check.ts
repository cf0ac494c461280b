/**
 * A request body's fast path past class-transformer and class-validator. `accept` returns the
 * DTO exactly as `plainToInstance` would build it when the body certainly passes every rule of
 * the class, and `undefined` otherwise: then the ValidationPipe decides, and names the errors.
 * So a check may refuse more than the rules do (anything unusual), never less.
 */
export interface CompiledCheck<T> {
  accept(body: unknown): T | undefined;
}

const checks = new WeakMap<object, () => CompiledCheck<unknown>>();

/**
 * Lets the global ValidationPipe try `check` on a body of the decorated class first; not on a
 * subclass, whose own rules the check does not know. A thunk, because the check builds the DTO's
 * classes and so imports the DTO's file.
 */
export function CheckedFirstBy(check: () => CompiledCheck<object>): ClassDecorator {
  return (target) => {
    checks.set(target, check);
  };
}

export function compiledCheckOf(type: object): CompiledCheck<unknown> | undefined {
  return checks.get(type)?.();
}
