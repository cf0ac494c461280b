import { Injectable } from '@nestjs/common';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  normalizeIp,
  ThrottlerModuleOptions,
  ThrottlerOptions,
  ThrottlerStorage,
} from '@nestjs/throttler';
import type { PerimeterConfig } from '../../config/perimeter.config';
import { DomainError } from '../errors/domain-error';

/** The server's limits, each counted per client address over a sliding minute. */
export type RateLimitName = 'webhooks' | 'auth-failures';

const WINDOW_MS = 60_000;

/** The named throttlers for ThrottlerModule; a limit of 0 leaves that one out (no limit). */
export function rateLimitThrottlers(perimeter: PerimeterConfig): ThrottlerOptions[] {
  const limits: [RateLimitName, number][] = [
    ['webhooks', perimeter.webhookRequestsPerMinute],
    ['auth-failures', perimeter.authFailuresPerMinute],
  ];
  return limits
    .filter(([, limit]) => limit > 0)
    .map(([name, limit]) => ({ name, limit, ttl: WINDOW_MS, blockDuration: 0 }));
}

export interface RateDecision {
  allowed: boolean;
  /** Whole seconds until one more hit is allowed (at least 1); 0 when allowed. */
  retryAfterSeconds: number;
}

/**
 * Counts hits per client in @nestjs/throttler's storage (this process's memory, idle entries
 * swept every minute). Each hit counts for one minute after it happened (a sliding window);
 * a hit over the limit is refused and not counted, so a client that keeps knocking is let in
 * again as soon as its oldest counted hit is a minute old. Several server processes each count
 * on their own.
 *
 * Not ThrottlerGuard: the webhook limit answers in Express middleware, before the body is
 * read, and a Nest guard runs after the body parsers; the authentication limit counts only
 * failed authentications, while the guard counts every request it sees.
 */
@Injectable()
export class RateLimiter {
  private readonly limits = new Map<string, number>();

  constructor(
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
  ) {
    const throttlers = Array.isArray(options) ? options : options.throttlers;
    for (const { name, limit } of throttlers) {
      if (name !== undefined && typeof limit === 'number') this.limits.set(name, limit);
    }
  }

  /** Counts one hit for `client`; refused (and not counted) once the window holds the limit. */
  async hit(name: RateLimitName, client: string): Promise<RateDecision> {
    const limit = this.limits.get(name);
    if (limit === undefined) return { allowed: true, retryAfterSeconds: 0 };
    const record = await this.storage.increment(`${name}:${client}`, WINDOW_MS, limit, 0, name);
    return record.isBlocked
      ? { allowed: false, retryAfterSeconds: Math.max(1, record.timeToBlockExpire) }
      : { allowed: true, retryAfterSeconds: 0 };
  }

  /** Whether `client` is still under the limit, without counting. */
  async check(name: RateLimitName, client: string): Promise<RateDecision> {
    const limit = this.limits.get(name);
    if (limit === undefined) return { allowed: true, retryAfterSeconds: 0 };
    // The storage has one operation, increment. With an allowance of 0 it refuses the hit, so
    // counts nothing, and reports the hits in the window (plus the refused one) and when the
    // oldest of them expires. rate-limiter.spec.ts pins this against the real storage.
    const record = await this.storage.increment(`${name}:${client}`, WINDOW_MS, 0, 0, name);
    const hits = record.totalHits - 1;
    return hits >= limit
      ? { allowed: false, retryAfterSeconds: Math.max(1, record.timeToBlockExpire) }
      : { allowed: true, retryAfterSeconds: 0 };
  }
}

/**
 * The bucket a client address counts in (@nestjs/throttler's normalizeIp): an IPv4 address
 * (also when IPv4-mapped, `::ffff:a.b.c.d`) as itself, an IPv6 address by its /64 network,
 * since one subscriber usually holds a whole /64 and could otherwise take a fresh address for
 * every request.
 */
export function clientKey(ip: string | undefined): string {
  return ip ? normalizeIp(ip) : 'unknown';
}

export class RateLimitedError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('rate_limited', 429, 'Too many requests', message);
  }
}
