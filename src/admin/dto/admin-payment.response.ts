import { ApiProperty } from '@nestjs/swagger';
import { PaymentDto } from '../../payments/dto/payment.response';

export class AttentionItemDto {
  @ApiProperty({
    enum: ['refund', 'capture', 'cancel', 'contradiction'],
    example: 'refund',
    description:
      'contradiction: the provider reported what our records contradict (its id is the payment id); it stays until resolved with POST …/attention/resolve',
  })
  type: string;
  @ApiProperty({ example: 're_8dJ2kq0VnX4bLs7Tz1MwYc5e' }) id: string;
  @ApiProperty({ enum: ['sending', 'unknown', 'accepted', 'reported'], example: 'accepted' })
  stage: string;
  @ApiProperty({ format: 'date-time' }) since: string;
  @ApiProperty({
    example:
      "refund re_8dJ2kq0VnX4bLs7Tz1MwYc5e of EUR 10.50 is still open at adyen since 2026-11-27T10:15:00.000Z: adyen has no API to look it up, only its webhook settles it. Check it in adyen's own dashboard; its amount stays reserved meanwhile.",
  })
  why: string;
}

export class AttentionDto {
  @ApiProperty({
    format: 'date-time',
    description: 'The earliest of these: a contradiction first reported, an operation sent',
  })
  since: string;
  @ApiProperty({ description: 'Why, in words (a contradiction, else the oldest operation)' })
  reason: string;
  @ApiProperty({ type: [AttentionItemDto] }) operations: AttentionItemDto[];
}

/** A payment as operators see it: with what needs their attention. */
export class AdminPaymentDto extends PaymentDto {
  @ApiProperty({
    type: AttentionDto,
    nullable: true,
    description:
      "Set when the provider reported something our records contradict (a success after the payment failed, was canceled or expired here; a capture or refund failed after it succeeded; a chargeback the status refuses): check at the provider, then POST …/attention/resolve. Also set when a capture, cancel or refund of this payment has stayed open longer than PAYMENTSERVER_RECONCILE_ATTENTION_HOURS (its amount stays reserved; nothing is freed); where the provider has no API to look it up (Adyen) only its webhook can settle it: check the provider's dashboard. Null otherwise.",
  })
  needsAttention: AttentionDto | null;
}

export class AdminPaymentListDto {
  @ApiProperty({ type: [AdminPaymentDto] }) data: AdminPaymentDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
