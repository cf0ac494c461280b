import { IsIn, IsInt, IsNumberString, IsOptional, Max, Min } from 'class-validator';
import { PAYMENT_METHODS } from '../../domain/payment-status';

export class TestCheckoutForm {
  @IsIn(['paid', 'authorized', 'failed', 'canceled', 'expired'])
  outcome: 'paid' | 'authorized' | 'failed' | 'canceled' | 'expired';

  /** What the customer pays with (default: the requested method, else card); reported as methodUsed. */
  @IsOptional()
  @IsIn(PAYMENT_METHODS)
  method?: string;

  @IsOptional()
  @IsIn(['true', 'false'])
  pendingFirst?: string;

  @IsOptional()
  @IsIn(['true', 'false'])
  duplicate?: string;

  @IsOptional()
  @IsNumberString()
  delayMs?: string;

  /** Simulates a webhook lost on the way: only reconciliation (polling) can find the outcome. */
  @IsOptional()
  @IsIn(['true', 'false'])
  dropWebhook?: string;
}

export class TestWebhookRequest {
  @IsIn(['open', 'pending', 'authorized', 'paid', 'failed', 'canceled', 'expired'])
  status: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(5)
  times?: number;
}
