/**
 * Closed-loop load with autocannon: `connections` clients, each sending its next request as
 * soon as the previous one is answered (one connection: the sequential latency), for a
 * duration or a fixed number of requests.
 */
import autocannon from 'autocannon';
import type { LatencyStats } from './latency';

export interface ClosedLoopOptions {
  url: string;
  connections: number;
  headers: Record<string, string>;
  body: (i: number) => string;
  /** Headers that depend on the body (a signature). */
  sign?: (body: string) => Record<string, string>;
  seconds?: number;
  /** Send exactly this many requests instead of running for `seconds`. */
  amount?: number;
  /** The status that counts as done (201 for a create). */
  expectStatus: number;
}

export interface ClosedLoopResult extends LatencyStats {
  ok: number;
  failed: number;
  seconds: number;
  /** Answered with `expectStatus` per second. */
  perSecond: number;
  statusCodes: Record<string, number>;
}

export async function closedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  let n = 0;
  const started = Date.now();
  let lastResponse = started;
  const instance = autocannon({
    url: options.url,
    method: 'POST',
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.seconds }),
    headers: options.headers,
    requests: [
      {
        setupRequest: (req: { headers: Record<string, string> }) => {
          const body = options.body(n++);
          return {
            ...req,
            body,
            headers: options.sign ? { ...req.headers, ...options.sign(body) } : req.headers,
          };
        },
      },
    ],
  });
  instance.on('response', () => (lastResponse = Date.now()));
  const result = await instance;
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats as Record<string, { count: number }>).map(([code, s]) => [
      code,
      s.count,
    ]),
  );
  const ok = statusCodes[String(options.expectStatus)] ?? 0;
  // With a fixed amount, autocannon notices the end only at its next one-second tick, so its
  // duration is rounded up to whole seconds (20,000 webhooks in 16.2 s counted as 17 s); the
  // last answer marks the end instead.
  const seconds = options.amount
    ? Math.max(0.001, (lastResponse - started) / 1000)
    : (result.duration as number);
  return {
    ok,
    failed: result.requests.total - ok + result.errors,
    seconds,
    perSecond: ok / seconds,
    statusCodes,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
  };
}

/**
 * Runs closed-loop load until the server has answered `requests` times (V8 optimises by call
 * counts, not seconds: a large server needs thousands of requests to reach its steady state)
 * and at least `minSeconds` have passed, or `maxSeconds` have passed. Returns the answers.
 */
export async function warmUp(
  options: Omit<ClosedLoopOptions, 'seconds' | 'amount'>,
  limits: { requests: number; minSeconds: number; maxSeconds: number },
): Promise<number> {
  const started = Date.now();
  let ok = 0;
  let n = 0;
  const elapsed = () => (Date.now() - started) / 1000;
  while (elapsed() < limits.maxSeconds && (ok < limits.requests || elapsed() < limits.minSeconds)) {
    const offset = n;
    const round = await closedLoop({
      ...options,
      seconds: 1,
      body: (i) => options.body(offset + i),
    });
    n += round.ok + round.failed + options.connections;
    ok += round.ok;
  }
  return ok;
}
