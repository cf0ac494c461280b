import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsEmail,
  IsIn,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  MaxLength,
  registerDecorator,
  ValidateNested,
} from 'class-validator';
import { IsCountryCode } from '../../common/country/country-code';
import { MoneyDto } from '../../common/money/money.dto';
import { CheckedFirstBy } from '../../common/http/compiled-check';
import { createPaymentCheck } from './create-payment.compiled-check';
import { AddressDto, OrderLineDto } from './order-details.dto';
import { CAPTURE_MODES, PAYMENT_METHODS } from '../../domain/payment-status';
import type { CaptureMode, PaymentMethod } from '../../domain/payment-status';
import { HTTP_URL, isStringRecord, LOCALE, METADATA_MAX_KEYS } from './create-payment.rules';

function IsStringRecord(maxKeys: number) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isStringRecord',
      target: target.constructor,
      propertyName,
      options: {
        message: `must be an object of at most ${maxKeys} string values (keys ≤ 64, values ≤ 512 chars)`,
      },
      validator: {
        validate: (value: unknown) => isStringRecord(value, maxKeys),
      },
    });
}

export class CustomerDto {
  @ApiPropertyOptional({ example: 'jane@example.com' })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ example: 'Jane Doe' })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  name?: string;

  @ApiPropertyOptional({ example: 'nl_NL' })
  @IsOptional()
  @IsString()
  @Matches(LOCALE, { message: 'must be a locale such as nl_NL or en' })
  locale?: string;

  @ApiPropertyOptional({ example: 'NL', description: 'ISO 3166-1 alpha-2' })
  @IsOptional()
  @IsCountryCode()
  country?: string;
}

// The hot path: a valid body skips class-transformer and class-validator (docs/architecture.md).
@CheckedFirstBy(() => createPaymentCheck)
export class CreatePaymentDto {
  @ApiProperty({ type: MoneyDto })
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  amount: MoneyDto;

  @ApiProperty({ example: 'Order #1042', minLength: 1, maxLength: 255 })
  @IsString()
  @Length(1, 255)
  description: string;

  @ApiProperty({
    example: '1042',
    description: "The shop's own order id",
    minLength: 1,
    maxLength: 128,
  })
  @IsString()
  @Length(1, 128)
  reference: string;

  @ApiProperty({ example: 'https://shop.example/orders/1042/return' })
  @IsUrl(HTTP_URL, { message: 'must be an absolute http(s) URL' })
  @MaxLength(2048)
  returnUrl: string;

  @ApiPropertyOptional({ example: 'https://shop.example/cart' })
  @IsOptional()
  @IsUrl(HTTP_URL, { message: 'must be an absolute http(s) URL' })
  @MaxLength(2048)
  cancelUrl?: string;

  @ApiPropertyOptional({ enum: PAYMENT_METHODS })
  @IsOptional()
  @IsIn(PAYMENT_METHODS)
  method?: PaymentMethod;

  @ApiPropertyOptional({ enum: CAPTURE_MODES, default: 'automatic' })
  @IsOptional()
  @IsIn(CAPTURE_MODES)
  captureMode?: CaptureMode;

  @ApiPropertyOptional({ type: CustomerDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => CustomerDto)
  customer?: CustomerDto;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { orderId: '1042' },
  })
  @IsOptional()
  @IsObject()
  @IsStringRecord(METADATA_MAX_KEYS)
  metadata?: Record<string, string>;

  @ApiPropertyOptional({
    type: [OrderLineDto],
    description:
      "The order's lines; their totalAmounts add up to `amount`, each in its currency. Sent to the providers that take them (Mollie `lines`, Stripe `line_items`, PayPal `items`, Adyen `lineItems`, MultiSafepay `shopping_cart`). Required for pay-later methods (klarna).",
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => OrderLineDto)
  lines?: OrderLineDto[];

  @ApiPropertyOptional({
    type: AddressDto,
    description: 'Required for pay-later methods (klarna), with an email here or in customer',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => AddressDto)
  billingAddress?: AddressDto;

  @ApiPropertyOptional({ type: AddressDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => AddressDto)
  shippingAddress?: AddressDto;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-12-04T12:00:00Z',
    description:
      "The hosted checkout stops accepting after it and the payment becomes `expired`. In the future and within the provider's limit (Stripe: 30 minutes to 24 hours; Adyen: 70 days); providers without an expiry (Mollie, PayPal) are not sent it.",
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be an ISO 8601 date-time' })
  expiresAt?: string;

  @ApiPropertyOptional({ description: 'Force this provider account and skip routing' })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  providerAccountId?: string;
}
