import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { PageQuery } from '../../common/http/page.query';
import { WEBHOOK_DELIVERY_STATUSES, WebhookDeliveryStatus } from '../webhook-delivery.entity';

export class ListProviderWebhooksQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'pa_3kTq9VbN2mXc7LpR0sWd5yHe' })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  providerAccountId?: string;

  @ApiPropertyOptional({ enum: WEBHOOK_DELIVERY_STATUSES, example: 'dead' })
  @IsOptional()
  @IsIn(WEBHOOK_DELIVERY_STATUSES)
  status?: WebhookDeliveryStatus;

  @ApiPropertyOptional({ example: 'pay_8dJ2kq0VnX4bLs7Tz1MwYc5e' })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  paymentId?: string;
}

/* Response shapes, for the Swagger document. */

export class ProviderWebhookDto {
  @ApiProperty({ example: 'whk_4Rt7Yu1IoP0aSd9Fg2Hj3Kl6' }) id: string;
  @ApiProperty({ example: 'adyen' }) provider: string;
  @ApiProperty({ example: 'pa_3kTq9VbN2mXc7LpR0sWd5yHe' }) providerAccountId: string;
  @ApiProperty({
    enum: WEBHOOK_DELIVERY_STATUSES,
    example: 'dead',
    description:
      '`received`: stored, not applied yet (or waiting for the poll budget); `processed`: applied; `failed`: processing failed, retried at `nextAttemptAt`; `dead`: still failing at the retry horizon, given up; `rejected`: verified, but its signed fields contradict the payment (reason in `error`)',
  })
  status: WebhookDeliveryStatus;
  @ApiProperty({
    example: true,
    description:
      "False for unsigned deliveries (Mollie): nothing in them is trusted, the payment's state is fetched from the provider",
  })
  verified: boolean;
  @ApiProperty({ example: 21, description: 'Processing attempts so far (replays included)' })
  attempts: number;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    example: null,
    description: 'When the retry job processes it next; null once settled',
  })
  nextAttemptAt: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'Mollie: HTTP 503',
    description: 'The last processing error, or the rejection reasons; never secrets',
  })
  error: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'pay_8dJ2kq0VnX4bLs7Tz1MwYc5e' })
  paymentId: string | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-27T10:15:00.000Z' }) receivedAt: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', example: null })
  processedAt: string | null;
}

export class ProviderWebhookDetailDto extends ProviderWebhookDto {
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  lastAttemptAt: string | null;
  @ApiProperty({
    description:
      'The headers kept with the delivery, names as received; the values of signature, authorization, token, key and cookie headers are masked',
    example: { 'content-type': 'application/json', 'stripe-signature': '[REDACTED]' },
  })
  headers: Record<string, string>;
  @ApiProperty({
    description:
      'The body as received, with signatures, secrets and tokens (by field name) and card-like numbers masked; a JSON body is shown re-serialised',
    example:
      '{"live":"false","notificationItems":[{"NotificationRequestItem":{"eventCode":"AUTHORISATION","success":"true","merchantReference":"pay_8dJ2kq0VnX4bLs7Tz1MwYc5e","additionalData":{"hmacSignature":"[REDACTED]"}}}]}',
  })
  body: string;
}

export class ProviderWebhookListDto {
  @ApiProperty({ type: [ProviderWebhookDto] }) data: ProviderWebhookDto[];
  @ApiProperty({ nullable: true, type: String, example: null }) nextCursor: string | null;
}
