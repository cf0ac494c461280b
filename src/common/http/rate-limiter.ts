import { Injectable, Optional } from '@nestjs/common';
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
import { SharedRateCounter } from './shared-rate-counter';

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
 * On SQLite (one instance per database file) without Redis: counts hits per client in @nestjs/throttler's
 * storage (this process's memory, idle entries swept every minute). Each hit counts for one
 * minute after it happened (a sliding window); a hit over the limit is refused and not
 * counted, so a client that keeps knocking is let in again as soon as its oldest counted hit
 * is a minute old.
 *
 * On a server database, or on any with PAYMENTSERVER_REDIS_URL set: counts in
 * SharedRateCounter's fixed one-minute windows in the database (or Redis), so all instances
 * enforce one limit together. `check` (asked on every authenticated request) stays in memory:
 * it reads the windows known to be full, which are this instance's own and those
 * RateLimitSyncJob reloads from the table (or Redis) every second.
 *
 * Not ThrottlerGuard: the webhook limit answers in Express middleware, before the body is
 * read, and a Nest guard runs after the body parsers; the authentication limit counts only
 * failed authentications, while the guard counts every request it sees.
 */
@Injectable()
export class RateLimiter {
  private readonly limits = new Map<string, number>();
  /** Shared mode: full windows, `<limit>:<client>` → when the window ends (ms). */
  private full = new Map<string, number>();
  /**
   * In-memory mode: `<limit>:<client>` → when this process last counted a hit for it (ms). A
   * client with no hit in the last window cannot be over any limit, so `check` answers without
   * asking the storage: a shop's every request with a valid key costs no counter update.
   */
  private lastHit = new Map<string, number>();

  constructor(
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @Optional() private readonly shared?: SharedRateCounter,
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
    if (this.shared?.enabled) {
      const bucket = `${name}:${client}`;
      const counted = await this.shared.hit(bucket, limit);
      if (counted.full) this.full.set(bucket, Date.now() + counted.retryAfterSeconds * 1000);
      return {
        allowed: counted.allowed,
        retryAfterSeconds: counted.allowed ? 0 : counted.retryAfterSeconds,
      };
    }
    this.noteHit(`${name}:${client}`);
    const record = await this.storage.increment(`${name}:${client}`, WINDOW_MS, limit, 0, name);
    return record.isBlocked
      ? { allowed: false, retryAfterSeconds: Math.max(1, record.timeToBlockExpire) }
      : { allowed: true, retryAfterSeconds: 0 };
  }

  /** Whether `client` is still under the limit, without counting. */
  async check(name: RateLimitName, client: string): Promise<RateDecision> {
    const limit = this.limits.get(name);
    if (limit === undefined) return { allowed: true, retryAfterSeconds: 0 };
    const bucket = `${name}:${client}`;
    if (this.shared?.enabled) {
      const until = this.full.get(bucket) ?? 0;
      const left = until - Date.now();
      return left > 0
        ? { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(left / 1000)) }
        : { allowed: true, retryAfterSeconds: 0 };
    }
    const last = this.lastHit.get(bucket);
    if (last === undefined) return { allowed: true, retryAfterSeconds: 0 };
    if (Date.now() - last > WINDOW_MS) {
      this.lastHit.delete(bucket);
      return { allowed: true, retryAfterSeconds: 0 };
    }
    // The storage has one operation, increment. With an allowance of 0 it refuses the hit, so
    // counts nothing, and reports the hits in the window (plus the refused one) and when the
    // oldest of them expires. rate-limiter.spec.ts pins this against the real storage.
    const record = await this.storage.increment(`${name}:${client}`, WINDOW_MS, 0, 0, name);
    const hits = record.totalHits - 1;
    return hits >= limit
      ? { allowed: false, retryAfterSeconds: Math.max(1, record.timeToBlockExpire) }
      : { allowed: true, retryAfterSeconds: 0 };
  }

  private noteHit(bucket: string): void {
    const now = Date.now();
    // Bounded by the clients that failed within a minute; those gone quiet are dropped here too.
    if (this.lastHit.size >= 10_000)
      for (const [key, at] of this.lastHit) if (now - at > WINDOW_MS) this.lastHit.delete(key);
    this.lastHit.set(bucket, now);
  }

  /**
   * Shared mode: learns the windows other instances filled (and forgets those that ended), so
   * `check` refuses a client that used up its allowance on any instance.
   */
  async reloadShared(): Promise<void> {
    if (!this.shared?.enabled || this.limits.size === 0) return;
    const now = Date.now();
    const rows = await this.shared.fullWindows(Math.min(...this.limits.values()));
    const full = new Map([...this.full].filter(([, until]) => until > now));
    for (const row of rows) {
      const bucket = row.key.slice(0, row.key.lastIndexOf(':'));
      const limit = this.limits.get(bucket.slice(0, bucket.indexOf(':')));
      if (limit !== undefined && Number(row.hits) >= limit)
        full.set(bucket, new Date(row.expiresAt).getTime());
    }
    this.full = full;
  }
}

/**
 * The bucket a client address counts in (@nestjs/throttler's normalizeIp): an IPv4 address
 * (also when IPv4-mapped, `::ffff:a.b.c.d`) as itself, an IPv6 address by its /64 network,
 * since one subscriber usually holds a whole /64 and could otherwise take a fresh address for
 * every request.
 */
export function clientKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  // Parsing an IPv6 form costs ~20 µs; the same few addresses (proxies, shops) come back.
  let key = clientKeys.get(ip);
  if (key === undefined) {
    if (clientKeys.size >= MAX_CLIENT_KEYS) clientKeys.clear();
    key = normalizeIp(ip);
    clientKeys.set(ip, key);
  }
  return key;
}

const MAX_CLIENT_KEYS = 10_000;
const clientKeys = new Map<string, string>();

export class RateLimitedError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('rate_limited', 429, 'Too many requests', message);
  }
}
