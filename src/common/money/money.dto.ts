import { ApiProperty } from '@nestjs/swagger';
import {
  IsInt,
  IsPositive,
  IsString,
  Max,
  registerDecorator,
  ValidationOptions,
} from 'class-validator';
import { isKnownCurrency } from './currency';

export function IsCurrencyCode(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isCurrencyCode',
      target: target.constructor,
      propertyName,
      options: { message: 'must be an ISO 4217 currency code, e.g. EUR', ...options },
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isKnownCurrency(value),
      },
    });
}

export class MoneyDto {
  @ApiProperty({
    description: 'Amount in minor units (cents); JPY has none',
    example: 1050,
    minimum: 1,
  })
  @IsInt({ message: 'must be an integer number of minor units' })
  @IsPositive()
  @Max(Number.MAX_SAFE_INTEGER)
  value: number;

  @ApiProperty({ description: 'ISO 4217 currency code', example: 'EUR' })
  @IsString()
  @IsCurrencyCode()
  currency: string;
}
