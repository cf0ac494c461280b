import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import type { RedisConfig } from '../../config/redis.config';

/** How long a Redis command may take before the caller falls back (rate limit, circuit). */
const COMMAND_TIMEOUT_MS = 1000;
/** How long start-up waits for the first connection before going on without it. */
const READY_WAIT_MS = 3000;
/** A Redis outage is logged at most this often (per kind), not once per request. */
const WARN_EVERY_MS = 10_000;

/**
 * The one ioredis client of this process (PAYMENTSERVER_REDIS_URL), with the key prefix. Commands
 * fail fast while disconnected (no offline queue, one attempt, a command timeout), so a caller
 * never waits on an unreachable Redis: it falls back (see RedisRateCounter, RedisCircuits) while
 * ioredis reconnects in the background. The URL's password is never logged.
 */
export class RedisConnection {
  readonly client: Redis;
  private readonly logger = new Logger('Redis');
  private readonly warned = new Map<string, number>();

  constructor(
    readonly config: RedisConfig,
    /** Replaces the configured prefix (tests: one per run). */
    readonly keyPrefix = config.keyPrefix,
  ) {
    this.client = new Redis(config.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: READY_WAIT_MS,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    // Without a listener ioredis prints every connection error itself, with the address.
    this.client.on('error', (error: Error) => this.warn('connection', error));
  }

  key(...parts: string[]): string {
    return this.keyPrefix + parts.join(':');
  }

  /** Connects, waiting up to a few seconds; unreachable, the server starts and keeps trying. */
  async connect(): Promise<void> {
    const ready = this.client.connect().then(
      () => true,
      (error: Error) => {
        this.warn('connection', error);
        return false;
      },
    );
    const timeout = new Promise<false>((resolve) =>
      setTimeout(() => resolve(false), READY_WAIT_MS).unref(),
    );
    if (await Promise.race([ready, timeout]))
      this.logger.log({ msg: 'connected to Redis', url: this.config.display });
    else
      this.logger.warn({
        msg: 'Redis not reachable at start-up; rate limits fail open and circuits stay per instance until it is',
        url: this.config.display,
      });
  }

  async close(): Promise<void> {
    this.client.removeAllListeners('error');
    this.client.on('error', () => undefined);
    try {
      if (this.client.status === 'ready') await this.client.quit();
      else this.client.disconnect();
    } catch {
      this.client.disconnect();
    }
  }

  /** Logs a failure of `kind` (and what the caller does instead) at most once every WARN_EVERY_MS. */
  warn(kind: string, error: Error, fallback?: string): void {
    const now = Date.now();
    if (now - (this.warned.get(kind) ?? 0) < WARN_EVERY_MS) return;
    this.warned.set(kind, now);
    this.logger.warn({
      msg: `Redis ${kind} failed${fallback ? `; ${fallback}` : ''}`,
      error: redact(error.message, this.config),
      url: this.config.display,
    });
  }
}

function redact(message: string, config: RedisConfig): string {
  const password = safePassword(config.url);
  return password ? message.split(password).join('***') : message;
}

function safePassword(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return '';
  }
}
