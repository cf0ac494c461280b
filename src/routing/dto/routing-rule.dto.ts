import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  registerDecorator,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsCountryCode } from '../../common/country/country-code';
import { IsCurrencyCode } from '../../common/money/money.dto';
import { PAYMENT_METHODS } from '../../domain/payment-status';
import type { PaymentMethod } from '../../domain/payment-status';
import { PageQuery } from '../../common/http/page.query';
import { IsOptionalNotNull } from '../../common/validation/optional-not-null';

/** Weights are summed in integer arithmetic; this bound keeps every sum exact. */
export const MAX_WEIGHT = 1_000_000;
export const MAX_PRIORITY = 2_147_483_647;
export const MIN_PRIORITY = -2_147_483_648;

function IsStringMap() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isStringMap',
      target: target.constructor,
      propertyName,
      options: { message: 'must be a non-empty object of at most 50 string values' },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.keys(value).length >= 1 &&
          Object.keys(value).length <= 50 &&
          Object.entries(value).every(
            ([k, v]) => k.length >= 1 && k.length <= 64 && typeof v === 'string' && v.length <= 512,
          ),
      },
    });
}

export class RuleConditionsDto {
  @ApiPropertyOptional({
    example: ['EUR'],
    description: 'ISO 4217 codes; the payment currency must be one of them',
  })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(200)
  @ArrayUnique()
  @IsCurrencyCode({ each: true, message: 'must contain ISO 4217 currency codes, e.g. EUR' })
  currencies?: string[];

  @ApiPropertyOptional({
    example: 1000,
    description: "Inclusive lower bound, minor units of the payment's currency",
  })
  @IsOptional()
  @IsInt({ message: 'must be an integer number of minor units' })
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  amountMin?: number;

  @ApiPropertyOptional({
    example: 100000,
    description: "Inclusive upper bound, minor units of the payment's currency",
  })
  @IsOptional()
  @IsInt({ message: 'must be an integer number of minor units' })
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  amountMax?: number;

  @ApiPropertyOptional({
    example: ['NL', 'BE'],
    description: 'ISO 3166-1 alpha-2; matched against customer.country',
  })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(300)
  @ArrayUnique()
  @IsCountryCode({
    each: true,
    message: 'must contain ISO 3166-1 alpha-2 country codes in capitals, e.g. NL',
  })
  countries?: string[];

  @ApiPropertyOptional({ enum: PAYMENT_METHODS, isArray: true, example: ['ideal'] })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(PAYMENT_METHODS, { each: true, message: `must contain only ${PAYMENT_METHODS.join(', ')}` })
  methods?: PaymentMethod[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { channel: 'app' },
    description: 'Every key must be present in the payment metadata with exactly this value',
  })
  @IsOptional()
  @IsObject()
  @IsStringMap()
  metadata?: Record<string, string>;
}

export class RuleTargetDto {
  @ApiProperty({
    example: 'pa_7Hq…',
    description:
      "An account the rule's integration may use (its `integrationIds`); for a rule for every integration, a shared one",
  })
  @IsString()
  @Length(1, 40)
  providerAccountId: string;

  @ApiProperty({ example: 70, minimum: 1, maximum: MAX_WEIGHT })
  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be greater than 0' })
  @Max(MAX_WEIGHT)
  weight: number;
}

/**
 * Decorators as they would be stacked on a property, applied bottom-up as TypeScript does, so
 * validation messages come out in the same order as when written inline.
 */
function stacked(...decorators: PropertyDecorator[]): PropertyDecorator {
  return applyDecorators(...decorators.reverse());
}

/** `targets` of create and update: the same rules for both. */
const RuleTargets = () =>
  stacked(
    IsArray(),
    ArrayNotEmpty({ message: 'must name at least one provider account' }),
    ArrayMaxSize(20),
    ValidateNested({ each: true }),
    Type(() => RuleTargetDto),
  );

/** `fallback` of create and update: the same rules for both. */
const FallbackAccountIds = () =>
  stacked(
    IsArray(),
    ArrayMaxSize(20),
    ArrayUnique({ message: 'must not name an account twice' }),
    IsString({ each: true }),
    Matches(/^.{1,40}$/, { each: true, message: 'must contain provider account ids' }),
  );

export class CreateRoutingRuleDto {
  @ApiProperty({ example: 'EUR to Mollie, 10 % to Adyen', minLength: 1, maxLength: 128 })
  @IsString()
  @Length(1, 128)
  name: string;

  @ApiProperty({
    example: 10,
    description: 'Lowest first; unique among the rules that can apply to the same integration',
  })
  @IsInt({ message: 'must be an integer' })
  @Min(MIN_PRIORITY)
  @Max(MAX_PRIORITY)
  priority: number;

  @ApiPropertyOptional({ default: true })
  @IsOptionalNotNull()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'null or absent: applies to every integration',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @Length(1, 40)
  integrationId?: string | null;

  @ApiPropertyOptional({
    type: RuleConditionsDto,
    description: 'All given conditions must hold; none given: every payment matches',
  })
  @IsOptionalNotNull()
  @IsObject()
  @ValidateNested()
  @Type(() => RuleConditionsDto)
  conditions?: RuleConditionsDto;

  @ApiProperty({
    type: [RuleTargetDto],
    description: 'One target takes all; several split by weight, sticky per customer',
  })
  @RuleTargets()
  targets: RuleTargetDto[];

  @ApiPropertyOptional({
    type: [String],
    description:
      "Tried in order when the chosen target fails with a retryable error; accounts the rule's integration may use, as for targets",
  })
  @IsOptionalNotNull()
  @FallbackAccountIds()
  fallback?: string[];
}

/**
 * Every field optional, and only `integrationId` takes null; `conditions`, `targets` and
 * `fallback` are replaced whole when given.
 */
export class UpdateRoutingRuleDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 128 })
  @IsOptionalNotNull()
  @IsString()
  @Length(1, 128)
  name?: string;

  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @IsInt({ message: 'must be an integer' })
  @Min(MIN_PRIORITY)
  @Max(MAX_PRIORITY)
  priority?: number;

  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @Length(1, 40)
  integrationId?: string | null;

  @ApiPropertyOptional({ type: RuleConditionsDto })
  @IsOptionalNotNull()
  @IsObject()
  @ValidateNested()
  @Type(() => RuleConditionsDto)
  conditions?: RuleConditionsDto;

  @ApiPropertyOptional({ type: [RuleTargetDto] })
  @IsOptionalNotNull()
  @RuleTargets()
  targets?: RuleTargetDto[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptionalNotNull()
  @FallbackAccountIds()
  fallback?: string[];
}

export class ListRoutingRulesQuery extends PageQuery {
  @ApiPropertyOptional({
    description: "Only this integration's rules and the rules for every integration",
  })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  integrationId?: string;
}

export class RoutingRuleDto {
  @ApiProperty({ example: 'rr_4Jk…' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() priority: number;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ nullable: true, type: String }) integrationId: string | null;
  @ApiProperty({ type: RuleConditionsDto }) conditions: RuleConditionsDto;
  @ApiProperty({ type: [RuleTargetDto] }) targets: RuleTargetDto[];
  @ApiProperty({ type: [String] }) fallback: string[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class RoutingRuleListDto {
  @ApiProperty({ type: [RoutingRuleDto] }) data: RoutingRuleDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
