import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { PageQuery } from '../../common/http/page.query';
import { IsOptionalNotNull } from '../../common/validation/optional-not-null';

export const EVENT_TYPES = ['payment.status_changed', 'refund.status_changed'] as const;
export const ENDPOINT_TYPES = ['webhook', 'rabbitmq'] as const;
export const DELIVERY_STATUSES = ['pending', 'failing', 'delivered', 'dead'] as const;

const EXCHANGE_NAME = /^[A-Za-z0-9_.:-]{1,255}$/;
const ROUTING_PREFIX = /^[A-Za-z0-9_.:-]{1,128}$/;

export class CreateNotificationEndpointDto {
  @ApiProperty({ example: 'int_4f…' })
  @IsString()
  @Length(1, 40)
  integrationId: string;

  @ApiProperty({ enum: ENDPOINT_TYPES })
  @IsIn(ENDPOINT_TYPES)
  type: 'webhook' | 'rabbitmq';

  @ApiPropertyOptional({
    description: 'webhook: the absolute http(s) URL to POST events to',
    example: 'https://shop.example/payment-events',
  })
  @IsOptionalNotNull()
  @IsUrl(
    { require_protocol: true, protocols: ['http', 'https'], require_tld: false },
    { message: 'must be an absolute http(s) URL' },
  )
  @MaxLength(2048)
  url?: string;

  @ApiPropertyOptional({
    description: 'rabbitmq: durable topic exchange',
    default: 'paymentserver.events',
  })
  @IsOptional()
  @IsString()
  @Matches(EXCHANGE_NAME, { message: 'must be an exchange name (letters, digits, . _ : -)' })
  exchange?: string;

  @ApiPropertyOptional({
    description: 'rabbitmq: prefix put before the event type in the routing key',
    example: 'shop-nl.',
  })
  @IsOptional()
  @IsString()
  @Matches(ROUTING_PREFIX, { message: 'must be letters, digits, . _ : -' })
  routingKeyPrefix?: string;

  @ApiProperty({ isArray: true, enum: EVENT_TYPES, example: ['payment.status_changed'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(EVENT_TYPES, { each: true })
  events: string[];

  @ApiPropertyOptional({ default: true })
  @IsOptionalNotNull()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdateNotificationEndpointDto {
  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @IsUrl(
    { require_protocol: true, protocols: ['http', 'https'], require_tld: false },
    { message: 'must be an absolute http(s) URL' },
  )
  @MaxLength(2048)
  url?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(EXCHANGE_NAME, { message: 'must be an exchange name (letters, digits, . _ : -)' })
  exchange?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(ROUTING_PREFIX, { message: 'must be letters, digits, . _ : -' })
  routingKeyPrefix?: string;

  @ApiPropertyOptional({ isArray: true, enum: EVENT_TYPES })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(EVENT_TYPES, { each: true })
  events?: string[];

  @ApiPropertyOptional({
    description: 'true also re-enables an endpoint the server disabled after a 410',
  })
  @IsOptionalNotNull()
  @IsBoolean()
  enabled?: boolean;
}

export class RotateSecretDto {
  @ApiPropertyOptional({
    description: 'How long the old secret keeps signing too (seconds)',
    default: 86400,
    maximum: 604800,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(604800)
  graceSeconds?: number;
}

export class ListEndpointsQuery extends PageQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 40)
  integrationId?: string;
}

export class ListDeliveriesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: (typeof DELIVERY_STATUSES)[number];
}

export class DeliveryCountsDto {
  @ApiProperty() pending: number;
  @ApiProperty({ description: 'tried and waiting for the next attempt' }) failing: number;
  @ApiProperty() delivered: number;
  @ApiProperty({ description: 'retry schedule used up, or the endpoint answered 410' })
  dead: number;
}

export class NotificationEndpointDto {
  @ApiProperty({ example: 'ne_…' }) id: string;
  @ApiProperty() integrationId: string;
  @ApiProperty({ enum: ENDPOINT_TYPES }) type: string;
  @ApiProperty({ nullable: true, type: String }) url: string | null;
  @ApiProperty({ nullable: true, type: String }) exchange: string | null;
  @ApiProperty({ nullable: true, type: String }) routingKeyPrefix: string | null;
  @ApiProperty({ isArray: true, enum: EVENT_TYPES }) events: string[];
  @ApiProperty() enabled: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'Why the server disabled it (410)' })
  disabledReason: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'Until then the previous secret signs too',
  })
  previousSecretExpiresAt: string | null;
  @ApiPropertyOptional({ type: DeliveryCountsDto, description: 'On GET …/{id} only' })
  deliveryCounts?: DeliveryCountsDto;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class NotificationEndpointCreatedDto extends NotificationEndpointDto {
  @ApiPropertyOptional({
    description: 'webhook only: the whsec_… signing secret, shown in this response only',
    example: 'whsec_…',
  })
  secret?: string;
}

export class SecretRotatedDto {
  @ApiProperty({ example: 'whsec_…', description: 'The new secret, shown once' }) secret: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) previousSecretExpiresAt:
    string | null;
}

export class NotificationEndpointListDto {
  @ApiProperty({ type: [NotificationEndpointDto] }) data: NotificationEndpointDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class DeliveryAttemptDto {
  @ApiProperty({ enum: ['succeeded', 'failed'] }) outcome: string;
  @ApiProperty({ nullable: true, type: Number }) responseCode: number | null;
  @ApiProperty() durationMs: number;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
  @ApiProperty({ format: 'date-time' }) startedAt: string;
}

export class NotificationDeliveryDto {
  @ApiProperty({ example: 'dlv_…' }) id: string;
  @ApiProperty({ example: 'evt_…' }) eventId: string;
  @ApiProperty({ enum: EVENT_TYPES }) eventType: string;
  @ApiProperty() paymentId: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status: string;
  @ApiProperty({ description: 'attempts that counted against the retry schedule' })
  attemptCount: number;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) nextAttemptAt: string | null;
  @ApiProperty({ nullable: true, type: Number }) lastResponseCode: number | null;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) deliveredAt: string | null;
  @ApiProperty({ type: [DeliveryAttemptDto], description: 'newest first, at most 20' })
  attempts: DeliveryAttemptDto[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class NotificationDeliveryListDto {
  @ApiProperty({ type: [NotificationDeliveryDto] }) data: NotificationDeliveryDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
