import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { CreatePaymentDto } from '../../payments/dto/create-payment.dto';

/** A payment create body plus the integration whose routing is asked. */
export class SimulateRoutingDto extends CreatePaymentDto {
  @ApiProperty({
    example: 'int_01J9Z7',
    description: 'The integration the payment would belong to',
  })
  @IsString()
  @Length(1, 40)
  integrationId: string;
}

export class SimulatedCandidateDto {
  @ApiProperty({ example: 'pa_mollie_nl' }) providerAccountId: string;

  @ApiProperty({
    example: 'mollie',
    nullable: true,
    type: String,
    description: 'null when the account no longer exists',
  })
  provider: string | null;

  @ApiProperty({
    enum: ['target', 'fallback', 'default'],
    example: 'target',
    description:
      "target: a target of the matching rule (or the requested providerAccountId); fallback: the rule's fallback list; default: the integration's default account",
  })
  role: 'target' | 'fallback' | 'default';

  @ApiProperty({
    example: true,
    description:
      'Whether a create with this body could call the account now. A create calls the eligible candidates in the listed order, the next one only after a retryable failure.',
  })
  eligible: boolean;

  @ApiProperty({
    example: 'mollie does not support method klarna',
    description:
      'Why, in words: the weighted split and its bucket, disabled, currency/method/manual capture unsupported, circuit open, not allowed for the integration, already listed, or why it is next',
  })
  why: string;
}

export class SimulationRefusalDto {
  @ApiProperty({
    example: 'no_route',
    description: 'no_route, provider_account_not_allowed or not_supported_by_provider',
  })
  code: string;

  @ApiProperty({ example: 'No route' }) title: string;

  @ApiProperty({ example: 'No provider account can take this payment (pa_1: account is disabled)' })
  detail: string;
}

export class RoutingSimulationDto {
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'rr_01J9Z8',
    description: 'The rule that decides, null without one',
  })
  ruleId: string | null;

  @ApiProperty({
    example:
      'rule "NL iDEAL" (rr_01J9Z8, priority 10) matched: currency EUR is one of EUR; weighted split pa_a 50 / pa_b 50: the customer.email falls in bucket 17 of 100, which belongs to pa_a',
    description: 'The same words a created payment records in routing.reason before any attempt',
  })
  reason: string;

  @ApiProperty({ type: [SimulatedCandidateDto] })
  candidates: SimulatedCandidateDto[];

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: 'pa_a',
    description:
      'The account a create would call first (the first eligible candidate); null when none',
  })
  providerAccountId: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: SimulationRefusalDto,
    description: 'The 422 a create would answer instead of creating a payment, or null',
  })
  refusal: SimulationRefusalDto | null;
}
