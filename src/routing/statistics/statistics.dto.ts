import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import { MoneyDto } from '../../common/money/money.dto';

export const STATS_GROUPS = ['provider', 'day', 'status', 'account'] as const;
export type StatsGroup = (typeof STATS_GROUPS)[number];

export class StatisticsQuery {
  @ApiPropertyOptional({
    description: 'ISO 8601; payments created at or after',
    example: '2026-11-01T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({
    description:
      'ISO 8601; payments created before; a bare date (2026-11-30) includes that whole UTC day',
    example: '2026-12-01T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({
    enum: STATS_GROUPS,
    default: 'provider',
    description:
      '`provider` (name; `none` for payments no provider took), `day` (UTC, YYYY-MM-DD), `status`, or `account` (provider account id: conversion per account, e.g. for an A/B split)',
  })
  @IsOptional()
  @IsIn(STATS_GROUPS)
  groupBy?: StatsGroup;

  @ApiPropertyOptional({ description: 'Only this integration' })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  integrationId?: string;

  @ApiPropertyOptional({
    description:
      "Only payments this routing rule decided (`routing.ruleId`); with groupBy=account it gives the observed split of the rule's targets",
    example: 'rr_2Nf…',
  })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  ruleId?: string;
}

export class StatisticsRowDto {
  @ApiProperty({ example: 'mollie' }) key: string;
  @ApiProperty({ description: 'Payments created in the window' }) count: number;
  @ApiProperty({
    description:
      'Of those, the ones that were paid (paid, partially_refunded, refunded, charged_back)',
  })
  paidCount: number;
  @ApiProperty({ example: 0.9412, description: 'paidCount / count, 4 decimals' })
  successRate: number;
  @ApiProperty({
    type: [MoneyDto],
    description:
      'Net volume of the paid payments, one entry per currency: captured, less refunds and chargebacks (grossVolume − refundedVolume − chargedBackVolume)',
    example: [{ value: 9750, currency: 'EUR' }],
  })
  volume: MoneyDto[];
  @ApiProperty({
    type: [MoneyDto],
    description: 'Captured amount of the paid payments, per currency',
    example: [{ value: 10500, currency: 'EUR' }],
  })
  grossVolume: MoneyDto[];
  @ApiProperty({
    type: [MoneyDto],
    description: 'Refunded amount of the paid payments (succeeded refunds), per currency',
    example: [{ value: 750, currency: 'EUR' }],
  })
  refundedVolume: MoneyDto[];
  @ApiProperty({
    type: [MoneyDto],
    description: 'Captured less refunded of the charged-back payments, per currency',
    example: [],
  })
  chargedBackVolume: MoneyDto[];
  @ApiProperty({ example: 1, description: 'Paid payments with at least one succeeded refund' })
  refundedCount: number;
  @ApiProperty({ example: 0, description: 'Payments charged back' }) chargedBackCount: number;
}

export class StatisticsDto {
  @ApiProperty({ type: [StatisticsRowDto] }) data: StatisticsRowDto[];
}
