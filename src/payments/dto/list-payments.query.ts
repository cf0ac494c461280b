import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { PAYMENT_METHODS, PAYMENT_STATUSES } from '../../domain/payment-status';
import { PageQuery } from '../../common/http/page.query';
import { IsCurrencyCode } from '../../common/money/money.dto';
import type { PaymentMethod, PaymentStatus } from '../../domain/payment-status';

/** Filters of a payment list (and of the admin totals); every filter given must match. */
export class ListPaymentsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: PAYMENT_STATUSES })
  @IsOptional()
  @IsIn(PAYMENT_STATUSES)
  status?: PaymentStatus;

  @ApiPropertyOptional({ description: "The shop's own order id, exactly", example: 'order-1042' })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  reference?: string;

  @ApiPropertyOptional({ description: 'ISO 8601, inclusive' })
  @IsOptional()
  @IsISO8601({ strict: true })
  createdFrom?: string;

  @ApiPropertyOptional({ description: 'ISO 8601, exclusive' })
  @IsOptional()
  @IsISO8601({ strict: true })
  createdTo?: string;

  @ApiPropertyOptional({
    description: '`customer.email`, exactly but ignoring case',
    example: 'jane@example.com',
  })
  @IsOptional()
  @IsEmail({}, { message: 'must be an email address' })
  @MaxLength(254)
  customerEmail?: string;

  @ApiPropertyOptional({ description: 'ISO 4217 code of the payment amount', example: 'EUR' })
  @IsOptional()
  @IsCurrencyCode()
  currency?: string;

  @ApiPropertyOptional({
    description: 'Inclusive lower bound of `amount.value`, in minor units (use with `currency`)',
    example: 1000,
    minimum: 0,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be an integer number of minor units' })
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  amountMin?: number;

  @ApiPropertyOptional({
    description: 'Inclusive upper bound of `amount.value`, in minor units (use with `currency`)',
    example: 5000,
    minimum: 0,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be an integer number of minor units' })
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  amountMax?: number;

  @ApiPropertyOptional({ enum: PAYMENT_METHODS, description: 'The method the shop asked for' })
  @IsOptional()
  @IsIn(PAYMENT_METHODS)
  method?: PaymentMethod;

  @ApiPropertyOptional({
    description: "The provider's own payment id (`provider.paymentId`)",
    example: 'tr_WDqYK6vllg',
  })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  providerPaymentId?: string;
}
