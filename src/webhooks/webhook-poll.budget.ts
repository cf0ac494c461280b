import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app.config';

/**
 * What unverified webhooks may cost: provider calls (status polls, certificate downloads,
 * Mollie fetches) per provider account per minute, as a token bucket in this process's memory
 * (several instances each have their own). Keys are existing provider account ids only.
 */
@Injectable()
export class WebhookPollBudget {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMinute: number;
  /** The clock (tests replace it). */
  now: () => number = Date.now;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'webhooks'>) {
    this.perMinute = config.webhooks.pollBudgetPerMinute;
  }

  /** Spends one call of the account's budget; false when it is used up. */
  take(accountId: string): boolean {
    const bucket = this.refilled(accountId);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Milliseconds until the account has a call to spend again. */
  waitMs(accountId: string): number {
    const bucket = this.refilled(accountId);
    return bucket.tokens >= 1 ? 0 : Math.ceil(((1 - bucket.tokens) * 60_000) / this.perMinute);
  }

  private refilled(accountId: string): { tokens: number; at: number } {
    const now = this.now();
    let bucket = this.buckets.get(accountId);
    if (!bucket) {
      bucket = { tokens: this.perMinute, at: now };
      this.buckets.set(accountId, bucket);
    }
    bucket.tokens = Math.min(
      this.perMinute,
      bucket.tokens + ((now - bucket.at) * this.perMinute) / 60_000,
    );
    bucket.at = now;
    return bucket;
  }
}
