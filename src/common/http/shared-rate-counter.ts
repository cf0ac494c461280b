import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, FindOperator, LessThan, LessThanOrEqual, MoreThan, Repository } from 'typeorm';
import { isUniqueViolation, TransactionService } from '../../database/transaction.service';
import { RateLimitWindow } from './rate-limit-window.entity';

export const SHARED_WINDOW_MS = 60_000;

export interface SharedDecision {
  allowed: boolean;
  /** Whole seconds until the window ends (at least 1). */
  retryAfterSeconds: number;
  /** The window holds the limit now: the next hit (and a check) is refused. */
  full: boolean;
}

/** One fixed window of one bucket: `<bucket>:<window start in ms>`, its hits and its end. */
export interface SharedWindow {
  key: string;
  hits: number;
  expiresAt: Date;
}

/**
 * Fixed one-minute hit counters shared by the server instances, behind one interface with two
 * implementations chosen at module setup (RateLimiterModule): DatabaseRateCounter (table
 * rate_limit_windows) and, with PAYMENTSERVER_REDIS_URL set, RedisRateCounter. Either way a hit
 * over the limit is refused and not counted.
 */
export abstract class SharedRateCounter {
  /** False: counting stays in this process's memory (SQLite without Redis). */
  abstract readonly enabled: boolean;
  /** Counts one hit in `bucket`'s current window, unless the window already holds `limit`. */
  abstract hit(bucket: string, limit: number, now?: number): Promise<SharedDecision>;
  /** The windows still running that hold at least `minimum` hits. */
  abstract fullWindows(minimum: number, now?: Date): Promise<SharedWindow[]>;
  /** Forgets the windows that ended. */
  abstract purge(now?: Date): Promise<void>;
}

/** The window `now` falls in: its start and end (ms) and the seconds left (at least 1). */
export function currentWindow(now: number) {
  const start = Math.floor(now / SHARED_WINDOW_MS) * SHARED_WINDOW_MS;
  const end = start + SHARED_WINDOW_MS;
  return { start, end, retryAfterSeconds: Math.max(1, Math.ceil((end - now) / 1000)) };
}

/**
 * Fixed-window hit counters in table rate_limit_windows, shared by every instance on a server
 * database (MariaDB/MySQL, PostgreSQL, SQL Server): three instances enforce one limit. A hit is
 * one conditional UPDATE (`hits = hits + 1` while under the limit), or an INSERT for the
 * window's first hit; a hit over the limit is refused and not counted. On SQLite (one instance
 * per database file) counting stays in process memory and this is off.
 */
@Injectable()
export class DatabaseRateCounter extends SharedRateCounter {
  readonly enabled: boolean;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    @InjectRepository(RateLimitWindow) private readonly windows: Repository<RateLimitWindow>,
    private readonly tx: TransactionService,
  ) {
    super();
    this.enabled = dataSource.options.type !== 'better-sqlite3';
  }

  async hit(bucket: string, limit: number, now = Date.now()): Promise<SharedDecision> {
    const { start, end, retryAfterSeconds } = currentWindow(now);
    const key = `${bucket}:${start}`;
    const decision = (allowed: boolean, full: boolean) => ({ allowed, retryAfterSeconds, full });
    const bump = (hits: FindOperator<number> | number) =>
      this.tx.write((m) => m.increment(RateLimitWindow, { key, hits }, 'hits', 1));
    for (let attempt = 0; attempt < 3; attempt++) {
      // Usually one statement; the hit that fills the window takes a second to say so.
      if ((await bump(LessThan(limit - 1))).affected) return decision(true, false);
      if ((await bump(limit - 1)).affected) return decision(true, true);
      const window = await this.windows.findOne({ where: { key }, select: { hits: true } });
      if (window && Number(window.hits) >= limit) return decision(false, true);
      if (window) continue; // opened by another hit between our UPDATEs and this read
      try {
        await this.tx.write((m) =>
          m.insert(RateLimitWindow, { key, hits: 1, expiresAt: new Date(end) }),
        );
        return decision(true, limit <= 1);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error; // another hit opened the window: count there
      }
    }
    return decision(false, true);
  }

  /** The windows still running that hold at least `minimum` hits: key → hits and end. */
  async fullWindows(minimum: number, now = new Date()): Promise<SharedWindow[]> {
    return this.windows.find({
      where: { expiresAt: MoreThan(now), hits: MoreThan(minimum - 1) },
      select: { key: true, hits: true, expiresAt: true },
    });
  }

  /** Windows that ended; nothing reads them any more. */
  async purge(now = new Date()): Promise<void> {
    await this.tx.write((m) => m.delete(RateLimitWindow, { expiresAt: LessThanOrEqual(now) }));
  }
}
