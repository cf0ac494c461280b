import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsPositive, IsString, Max } from 'class-validator';
import { IsCountryCode } from '../../common/country/country-code';
import { IsCurrencyCode } from '../../common/money/money.dto';
import { PAYMENT_METHODS } from '../../domain/payment-status';
import type { PaymentMethod } from '../../domain/payment-status';

export class PaymentMethodsQuery {
  @ApiProperty({ description: 'Amount in minor units, as in amount.value', example: 1050 })
  @Type(() => Number)
  @IsInt({ message: 'must be an integer number of minor units' })
  @IsPositive()
  @Max(Number.MAX_SAFE_INTEGER)
  amount: number;

  @ApiProperty({ description: 'ISO 4217 currency code', example: 'EUR' })
  @IsString()
  @IsCurrencyCode()
  currency: string;

  @ApiPropertyOptional({ description: "The customer's country, ISO 3166-1 alpha-2", example: 'NL' })
  @IsOptional()
  @IsCountryCode()
  country?: string;
}

export class PaymentMethodOptionDto {
  @ApiProperty({ enum: PAYMENT_METHODS, example: 'ideal' })
  method: PaymentMethod;

  @ApiProperty({
    type: [String],
    example: ['mollie', 'adyen'],
    description: 'Providers routing may send such a payment to, in the order it would try them',
  })
  providers: string[];
}

export class PaymentMethodListDto {
  @ApiProperty({
    type: [PaymentMethodOptionDto],
    example: [
      { method: 'card', providers: ['stripe', 'mollie'] },
      { method: 'ideal', providers: ['mollie'] },
    ],
  })
  data: PaymentMethodOptionDto[];
}
