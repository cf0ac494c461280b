import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MoneyDto } from '../../common/money/money.dto';
import {
  CAPTURE_MODES,
  PAYMENT_METHODS,
  PAYMENT_STATUSES,
  REFUND_STATUSES,
} from '../../domain/payment-status';
import { CustomerDto } from './create-payment.dto';
import { AddressDto, OrderLineDto } from './order-details.dto';

/* Response shapes, for the Swagger document. The presenter builds the actual objects. */

export class ProviderRefDto {
  @ApiProperty({ example: 'test' }) name: string;
  @ApiProperty({ example: 'test' }) accountId: string;
  @ApiProperty({ example: 'tp_4kq…', nullable: true, description: "The provider's own id" })
  paymentId: string | null;
  @ApiProperty({
    type: Boolean,
    nullable: true,
    example: true,
    description:
      'Whether the provider account was in test mode (sandbox, no real money) when the payment was made there; null for payments from before this field existed',
  })
  testMode: boolean | null;
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

export class PendingOperationDto {
  @ApiProperty({ example: 'op_5Yb0d2Xq8mNc1LrT7sVw3KzH' }) id: string;
  @ApiProperty({ enum: ['capture', 'cancel'], example: 'capture' }) type: string;
  @ApiProperty({
    type: MoneyDto,
    nullable: true,
    description: 'The capture amount; null for a cancel',
  })
  amount: MoneyDto | null;
  @ApiProperty({
    enum: ['sending', 'unknown', 'accepted'],
    example: 'unknown',
    description:
      '`unknown`: the provider may or may not have done it (its answer was lost); the server finds out and retries with the same idempotency key. `accepted`: the provider has it and reports the outcome later. `sending`: the request is under way.',
  })
  stage: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class PaymentDto {
  @ApiProperty({ example: 'pay_3kTqv0Xo9ZlPq8bVwN2cYd1e' }) id: string;
  @ApiProperty({ enum: PAYMENT_STATUSES }) status: string;
  @ApiProperty({ type: MoneyDto }) amount: MoneyDto;
  @ApiProperty({ example: 0 }) amountCaptured: number;
  @ApiProperty({ example: 0 }) amountRefunded: number;
  @ApiProperty() description: string;
  @ApiProperty() reference: string;
  @ApiProperty({
    enum: PAYMENT_METHODS,
    nullable: true,
    description: 'The method the shop asked for (null: the customer chooses at checkout)',
  })
  method: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'creditcard',
    description:
      "What the customer actually paid with, in the provider's own words, as it reports it (Mollie `method` such as `creditcard` or `ideal`; MultiSafepay `payment_details.type` such as `VISA`; Stripe the PaymentMethod type such as `card`; Adyen the notification's `paymentMethod` such as `visa` or `mc`; PayPal the `payment_source` key such as `paypal` or `card`; the test provider the method chosen on its page). Null until the provider says.",
  })
  methodUsed: string | null;
  @ApiProperty({ enum: CAPTURE_MODES }) captureMode: string;
  @ApiProperty({ type: CustomerDto, nullable: true }) customer: CustomerDto | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, nullable: true })
  metadata: Record<string, string> | null;
  @ApiProperty({ type: [OrderLineDto], nullable: true, description: 'The order lines as sent' })
  lines: OrderLineDto[] | null;
  @ApiProperty({ type: AddressDto, nullable: true }) billingAddress: AddressDto | null;
  @ApiProperty({ type: AddressDto, nullable: true }) shippingAddress: AddressDto | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the hosted checkout stops accepting (where the provider takes it)',
  })
  expiresAt: string | null;
  @ApiProperty() returnUrl: string;
  @ApiProperty({ nullable: true, type: String }) cancelUrl: string | null;
  @ApiProperty({ nullable: true, type: String, description: "The provider's hosted payment page" })
  checkoutUrl: string | null;
  @ApiProperty({ type: ProviderRefDto, nullable: true }) provider: ProviderRefDto | null;
  @ApiProperty({ type: RoutingDto, nullable: true }) routing: RoutingDto | null;
  @ApiProperty({ type: FailureDto, nullable: true }) failure: FailureDto | null;
  @ApiProperty({
    type: PendingOperationDto,
    nullable: true,
    description:
      'A capture or cancel whose outcome is not settled yet. The payment keeps its status (`authorized`, `pending`) until the provider settles it; a `payment.status_changed` event follows when it succeeds. While it is open, another capture, cancel or refund is refused (409).',
  })
  pendingOperation: PendingOperationDto | null;
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
