import type { RedisConnection } from '../redis/redis-connection';
import {
  currentWindow,
  SharedDecision,
  SharedRateCounter,
  SharedWindow,
} from './shared-rate-counter';

/**
 * One hit, atomically (Redis runs a script alone): refused and not counted when the window holds
 * the limit; else counted, the window given its expiry on its first hit, and, when this hit
 * fills it, listed in the sorted set of full windows (scored by the window's end).
 * KEYS: window counter, full-window set. ARGV: limit, expiry (ms), window end (ms), member.
 * Returns {1 allowed | 0 refused, hits}.
 */
const HIT_SCRIPT = `
local limit = tonumber(ARGV[1])
local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
if hits >= limit then return {0, hits} end
hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if hits >= limit then redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4]) end
return {1, hits}
`;

const HIT_COMMAND = 'paymentserverRateHit';
type RunScript = (...args: (string | number)[]) => Promise<unknown>;

/** A window's counter outlives its end by this much (clock skew between instances). */
const EXPIRY_MARGIN_MS = 5_000;

/**
 * SharedRateCounter in Redis (PAYMENTSERVER_REDIS_URL), on every database: the same fixed
 * one-minute windows as DatabaseRateCounter, one key per window (`<prefix>rate:<bucket>:<start>`,
 * expiring shortly after the window ends) and one sorted set of the windows that filled
 * (`<prefix>rate-full`), which RateLimiter.reloadShared reads every second.
 *
 * Redis unreachable or too slow: the hit is allowed and not counted (fail open), with a warning
 * logged at most every ten seconds; a request never fails because Redis does. The limits are a
 * brake on abuse, not an authorisation: letting a few more through during an outage is the
 * smaller harm than refusing every webhook and every login.
 */
export class RedisRateCounter extends SharedRateCounter {
  readonly enabled = true;

  constructor(private readonly redis: RedisConnection) {
    super();
    // EVALSHA, sending the script itself only when Redis does not know it yet.
    redis.client.defineCommand(HIT_COMMAND, { numberOfKeys: 2, lua: HIT_SCRIPT });
  }

  private get fullSet(): string {
    return this.redis.key('rate-full');
  }

  async hit(bucket: string, limit: number, now = Date.now()): Promise<SharedDecision> {
    const { start, end, retryAfterSeconds } = currentWindow(now);
    const member = `${bucket}:${start}`;
    try {
      const client = this.redis.client as unknown as Record<typeof HIT_COMMAND, RunScript>;
      const [allowed, hits] = (await client[HIT_COMMAND](
        this.redis.key('rate', member),
        this.fullSet,
        limit,
        end - now + EXPIRY_MARGIN_MS,
        end,
        member,
      )) as [number, number];
      return { allowed: allowed === 1, retryAfterSeconds, full: hits >= limit };
    } catch (error) {
      this.redis.warn('rate-limit hit', error as Error, 'allowed without counting (fail open)');
      return { allowed: true, retryAfterSeconds, full: false };
    }
  }

  /** Redis unreachable: none (this instance keeps the full windows it counted itself). */
  async fullWindows(minimum: number, now = new Date()): Promise<SharedWindow[]> {
    try {
      return await this.readFullWindows(minimum, now);
    } catch (error) {
      this.redis.warn('rate-limit reload', error as Error, 'keeping the full windows known');
      return [];
    }
  }

  private async readFullWindows(minimum: number, now: Date): Promise<SharedWindow[]> {
    const members = await this.redis.client.zrangebyscore(
      this.fullSet,
      `(${now.getTime()}`,
      '+inf',
      'WITHSCORES',
    );
    if (members.length === 0) return [];
    const keys: string[] = [];
    const ends: number[] = [];
    for (let i = 0; i < members.length; i += 2) {
      keys.push(members[i]);
      ends.push(Number(members[i + 1]));
    }
    const hits = await this.redis.client.mget(keys.map((key) => this.redis.key('rate', key)));
    return keys
      .map((key, i) => ({ key, hits: Number(hits[i] ?? 0), expiresAt: new Date(ends[i]) }))
      .filter((window) => window.hits >= minimum);
  }

  /** The counters expire by themselves; the set of full windows is trimmed here. */
  async purge(now = new Date()): Promise<void> {
    try {
      await this.redis.client.zremrangebyscore(this.fullSet, '-inf', now.getTime());
    } catch (error) {
      this.redis.warn('rate-limit purge', error as Error);
    }
  }
}
