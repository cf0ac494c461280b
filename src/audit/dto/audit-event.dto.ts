import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Length, Matches } from 'class-validator';
import { PageQuery } from '../../common/http/page.query';
import { AUDIT_OUTCOMES, AuditOutcome } from '../audit-event.entity';

export class ListAuditEventsQuery extends PageQuery {
  @ApiPropertyOptional({
    description: "The actor's token `sub` or OAuth client id",
    example: 'paymentserver-admin',
  })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  actor?: string;

  @ApiPropertyOptional({
    description:
      'A full action (`provider_account.update`) or a target type for all of its actions (`provider_account`)',
    example: 'provider_account.update',
  })
  @IsOptional()
  @Matches(/^[a-z_]{1,64}(\.[a-z_]{1,64})?$/, {
    message: 'must be an action such as provider_account.update, or a prefix such as api_key',
  })
  action?: string;

  @ApiPropertyOptional({ example: 'provider_account' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  targetType?: string;

  @ApiPropertyOptional({ example: 'pa_3kTq9VbN2mXc7LpR0sWd5yHe' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  targetId?: string;

  @ApiPropertyOptional({ enum: AUDIT_OUTCOMES, example: 'failed' })
  @IsOptional()
  @IsIn(AUDIT_OUTCOMES)
  outcome?: AuditOutcome;

  @ApiPropertyOptional({
    description: 'Events at or after this instant (ISO 8601)',
    example: '2026-12-01T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({
    description: 'Events before this instant (ISO 8601)',
    example: '2026-12-02T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

/* Response shapes, for the Swagger document. */

export class AuditActorDto {
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'paymentserver-admin',
    description: "The access token's `sub`",
  })
  sub: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'paymentserver-admin',
    description: 'The OAuth client the token was issued to',
  })
  clientId: string | null;
  @ApiProperty({ nullable: true, type: String, example: '192.0.2.10' })
  ip: string | null;
}

export class AuditEventDto {
  @ApiProperty({ example: 'aud_7Hk2Lm9Qp4Rs1Tv6Wx3Yz8Ab' }) id: string;
  @ApiProperty({ format: 'date-time', example: '2026-12-02T09:30:00.000Z' }) at: string;
  @ApiProperty({ type: AuditActorDto }) actor: AuditActorDto;
  @ApiProperty({
    example: 'provider_account.update',
    description:
      '`<targetType>.<verb>`: provider_account.create/update/delete, integration.create/update/delete, api_key.create/revoke, routing_rule.create/update/delete, notification_endpoint.create/update/delete/rotate_secret, delivery.retry, payment.capture/cancel/refund, provider_webhook.replay',
  })
  action: string;
  @ApiProperty({ example: 'provider_account' }) targetType: string;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'pa_3kTq9VbN2mXc7LpR0sWd5yHe',
    description: 'Null for a create that failed before it had an id',
  })
  targetId: string | null;
  @ApiProperty({
    enum: AUDIT_OUTCOMES,
    example: 'succeeded',
    description:
      '`failed`: refused (403 for a read-only token, 400, 404, 409, 422) or failed; the change, if any, did not happen or the provider refused it',
  })
  outcome: AuditOutcome;
  @ApiProperty({
    nullable: true,
    type: String,
    example: null,
    description: 'The problem `code` of a failed attempt (`forbidden`, `validation_failed`, …)',
  })
  failureCode: string | null;
  @ApiProperty({
    type: [String],
    example: ['credentials', 'enabled'],
    description: 'Names of the fields the request set; never their values',
  })
  changedFields: string[];
  @ApiProperty({
    nullable: true,
    type: String,
    example: '2b0c4a51-8a8e-4f7e-9d56-0f3c1f7b9a11',
    description: 'The X-Request-Id of the request (also in its logs and problem bodies)',
  })
  correlationId: string | null;
}

export class AuditEventListDto {
  @ApiProperty({ type: [AuditEventDto] }) data: AuditEventDto[];
  @ApiProperty({ nullable: true, type: String, example: null }) nextCursor: string | null;
}
