import { DomainError } from '../errors/domain-error';

export interface RateDecision {
  allowed: boolean;
  /** Whole seconds until the key's window ends (at least 1). */
  retryAfterSeconds: number;
}

/**
 * Fixed-window counter per key, in this process's memory. Each key gets `limit` hits per
 * window; the window starts at the key's first hit. Several server processes each count on
 * their own (see README, Security). Memory stays bounded: past `maxKeys` keys, expired windows
 * are swept and then the oldest windows dropped.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new Error('RateLimiter needs a limit of 1 or more');
  }

  /** Counts one hit for `key`; not allowed once the window already holds `limit` hits. */
  hit(key: string): RateDecision {
    const window = this.current(key) ?? this.open(key);
    if (window.count >= this.limit) return this.decision(false, window.resetAt);
    window.count++;
    return this.decision(true, window.resetAt);
  }

  /** Whether `key` is still under its limit, without counting. */
  check(key: string): RateDecision {
    const window = this.current(key);
    if (!window) return { allowed: true, retryAfterSeconds: 0 };
    return this.decision(window.count < this.limit, window.resetAt);
  }

  get size(): number {
    return this.windows.size;
  }

  private current(key: string): { count: number; resetAt: number } | undefined {
    const window = this.windows.get(key);
    if (window && window.resetAt <= this.now()) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  private open(key: string): { count: number; resetAt: number } {
    if (this.windows.size >= this.maxKeys) this.evict();
    const window = { count: 0, resetAt: this.now() + this.windowMs };
    this.windows.set(key, window);
    return window;
  }

  private evict(): void {
    const now = this.now();
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
    // Still full: drop the oldest windows (a Map iterates in insertion order).
    for (const key of this.windows.keys()) {
      if (this.windows.size < this.maxKeys) break;
      this.windows.delete(key);
    }
  }

  private decision(allowed: boolean, resetAt: number): RateDecision {
    return { allowed, retryAfterSeconds: Math.max(1, Math.ceil((resetAt - this.now()) / 1000)) };
  }
}

/**
 * The bucket a client address counts in: an IPv4 address (also when IPv4-mapped, `::ffff:a.b.c.d`)
 * as itself, an IPv6 address by its /64 network, since one subscriber usually holds a whole /64
 * and could otherwise take a fresh address for every request.
 */
export function clientKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1];
  if (!ip.includes(':')) return ip;
  const [head, tail] = ip.split('%')[0].toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export class RateLimitedError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('rate_limited', 429, 'Too many requests', message);
  }
}
