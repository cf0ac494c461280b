/**
 * The create-payment body as class-validator DTOs, the same nested shape and rules as
 * PaymentServer's CreatePaymentDto (without the Swagger decorators, which cost nothing per request).
 */
import { Type } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsISO31661Alpha2,
  IsObject,
  IsOptional,
  IsPositive,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  MaxLength,
  registerDecorator,
  ValidateNested,
} from 'class-validator';
import { CAPTURE_MODES, isCurrency, METHODS } from '../payment-rows';

const HTTP_URL = { require_protocol: true, protocols: ['http', 'https'], require_tld: false };
const isStringRecord = (value: unknown) =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.keys(value).length <= 50 &&
  Object.entries(value).every(
    ([k, v]) => k.length >= 1 && k.length <= 64 && typeof v === 'string' && v.length <= 512,
  );

/** A custom rule the way PaymentServer registers its own (registerDecorator). */
function Rule(name: string, validate: (value: unknown) => boolean, message: string) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName,
      options: { message },
      validator: { validate },
    });
}

export class MoneyDto {
  @IsInt()
  @IsPositive()
  @Max(Number.MAX_SAFE_INTEGER)
  value: number;

  @IsString()
  @Rule('isCurrencyCode', isCurrency, 'must be an ISO 4217 currency code, e.g. EUR')
  currency: string;
}

export class CustomerDto {
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @IsOptional()
  @IsString()
  @Length(1, 255)
  name?: string;

  @IsOptional()
  @IsString()
  @Matches(/^[a-z]{2}([_-][A-Z]{2})?$/)
  locale?: string;

  @IsOptional()
  @IsISO31661Alpha2()
  country?: string;
}

export class CreatePaymentDto {
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  amount: MoneyDto;

  @IsString()
  @Length(1, 255)
  description: string;

  @IsString()
  @Length(1, 128)
  reference: string;

  @IsUrl(HTTP_URL)
  @MaxLength(2048)
  returnUrl: string;

  @IsOptional()
  @IsUrl(HTTP_URL)
  @MaxLength(2048)
  cancelUrl?: string;

  @IsOptional()
  @IsIn(METHODS)
  method?: string;

  @IsOptional()
  @IsIn(CAPTURE_MODES)
  captureMode?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => CustomerDto)
  customer?: CustomerDto;

  @IsOptional()
  @IsObject()
  @Rule('isStringRecord', isStringRecord, 'must be an object of at most 50 string values')
  metadata?: Record<string, string>;
}
