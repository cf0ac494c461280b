import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MoneyDto } from '../../common/money/money.dto';
import {
  CAPTURE_MODES,
  PAYMENT_METHODS,
  PAYMENT_STATUSES,
  REFUND_STATUSES,
} from '../payment-status';
import { CustomerDto } from './create-payment.dto';

/* Response shapes, for the Swagger document. The presenter builds the actual objects. */

export class ProviderRefDto {
  @ApiProperty({ example: 'test' }) name: string;
  @ApiProperty({ example: 'test' }) accountId: string;
  @ApiProperty({ example: 'tp_4kq…', nullable: true, description: "The provider's own id" })
  paymentId: string | null;
}

export class RoutingAttemptDto {
  @ApiProperty() providerAccountId: string;
  @ApiProperty({ enum: ['succeeded', 'declined', 'failed', 'skipped'] }) outcome: string;
  @ApiPropertyOptional() error?: string;
}

export class RoutingDto {
  @ApiProperty({ nullable: true, type: String }) ruleId: string | null;
  @ApiProperty({ example: "no routing rule matched; the integration's default account test" })
  reason: string;
  @ApiProperty({ type: [RoutingAttemptDto] }) attempts: RoutingAttemptDto[];
}

export class FailureDto {
  @ApiProperty({ example: 'declined' }) code: string;
  @ApiProperty() message: string;
}

export class PaymentDto {
  @ApiProperty({ example: 'pay_3kTqv0Xo9ZlPq8bVwN2cYd1e' }) id: string;
  @ApiProperty({ enum: PAYMENT_STATUSES }) status: string;
  @ApiProperty({ type: MoneyDto }) amount: MoneyDto;
  @ApiProperty({ example: 0 }) amountCaptured: number;
  @ApiProperty({ example: 0 }) amountRefunded: number;
  @ApiProperty() description: string;
  @ApiProperty() reference: string;
  @ApiProperty({ enum: PAYMENT_METHODS, nullable: true }) method: string | null;
  @ApiProperty({ enum: CAPTURE_MODES }) captureMode: string;
  @ApiProperty({ type: CustomerDto, nullable: true }) customer: CustomerDto | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, nullable: true })
  metadata: Record<string, string> | null;
  @ApiProperty() returnUrl: string;
  @ApiProperty({ nullable: true, type: String }) cancelUrl: string | null;
  @ApiProperty({ nullable: true, type: String, description: "The provider's hosted payment page" })
  checkoutUrl: string | null;
  @ApiProperty({ type: ProviderRefDto, nullable: true }) provider: ProviderRefDto | null;
  @ApiProperty({ type: RoutingDto, nullable: true }) routing: RoutingDto | null;
  @ApiProperty({ type: FailureDto, nullable: true }) failure: FailureDto | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class PaymentListDto {
  @ApiProperty({ type: [PaymentDto] }) data: PaymentDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class RefundDto {
  @ApiProperty({ example: 're_8dJ2…' }) id: string;
  @ApiProperty() paymentId: string;
  @ApiProperty({ type: MoneyDto }) amount: MoneyDto;
  @ApiProperty({ enum: REFUND_STATUSES }) status: string;
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class RefundListDto {
  @ApiProperty({ type: [RefundDto] }) data: RefundDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class PaymentEventDto {
  @ApiProperty({ example: 'payment.status_changed' }) type: string;
  @ApiProperty({ nullable: true, type: String }) fromStatus: string | null;
  @ApiProperty() toStatus: string;
  @ApiProperty({ enum: ['api', 'webhook', 'poll'] }) source: string;
  @ApiProperty() ignored: boolean;
  @ApiProperty({ nullable: true, type: String }) refundId: string | null;
  @ApiProperty({ nullable: true, type: String }) detail: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class PaymentEventListDto {
  @ApiProperty({ type: [PaymentEventDto] }) data: PaymentEventDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
