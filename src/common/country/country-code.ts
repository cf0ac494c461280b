import { isISO31661Alpha2, registerDecorator, ValidationOptions } from 'class-validator';

const TWO_CAPITALS = /^[A-Z]{2}$/;

/**
 * An ISO 3166-1 alpha-2 code as the standard writes it, in capitals. validator.js's check alone
 * takes `nl` too, which routing rules (compared exactly) and PSPs would then not recognise;
 * currencies are held to capitals the same way.
 */
export function isCountryCode(value: unknown): boolean {
  return typeof value === 'string' && TWO_CAPITALS.test(value) && isISO31661Alpha2(value);
}

export function IsCountryCode(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isCountryCode',
      target: target.constructor,
      propertyName,
      options: {
        message: 'must be an ISO 3166-1 alpha-2 country code in capitals, e.g. NL',
        ...options,
      },
      validator: { validate: isCountryCode },
    });
}
