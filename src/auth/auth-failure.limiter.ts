import { Injectable } from '@nestjs/common';
import { RateLimiter } from '../common/http/rate-limiter';

/**
 * Counts failed authentications (401) per source IP. Once an address has used up its
 * failures for the minute, every authenticated route answers it 429 until the oldest of them
 * is a minute old, valid credentials included: guessing keys or tokens gets nowhere fast.
 */
@Injectable()
export class AuthFailureLimiter {
  constructor(private readonly limiter: RateLimiter) {}

  /** Seconds to wait when `ip` is blocked; undefined when it may try. */
  async blockedFor(ip: string): Promise<number | undefined> {
    const decision = await this.limiter.check('auth-failures', ip);
    return decision.allowed ? undefined : decision.retryAfterSeconds;
  }

  async recordFailure(ip: string): Promise<void> {
    await this.limiter.hit('auth-failures', ip);
  }
}
