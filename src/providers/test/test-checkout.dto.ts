import { IsIn, IsInt, IsNumberString, IsOptional, Max, Min } from 'class-validator';

export class TestCheckoutForm {
  @IsIn(['paid', 'authorized', 'failed', 'canceled', 'expired'])
  outcome: 'paid' | 'authorized' | 'failed' | 'canceled' | 'expired';

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
