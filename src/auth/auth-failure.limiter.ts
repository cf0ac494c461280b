import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app.config';
import { RateLimiter } from '../common/http/rate-limiter';

/**
 * Counts failed authentications (401) per source IP. Once an address has used up its
 * failures for the minute, every authenticated route answers it 429 until the minute ends,
 * valid credentials included: guessing keys or tokens gets nowhere fast.
 */
@Injectable()
export class AuthFailureLimiter {
  private readonly limiter?: RateLimiter;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const limit = config.perimeter.authFailuresPerMinute;
    if (limit > 0) this.limiter = new RateLimiter(limit, 60_000);
  }

  /** Seconds to wait when `ip` is blocked; undefined when it may try. */
  blockedFor(ip: string): number | undefined {
    const decision = this.limiter?.check(ip);
    return decision && !decision.allowed ? decision.retryAfterSeconds : undefined;
  }

  recordFailure(ip: string): void {
    this.limiter?.hit(ip);
  }
}
