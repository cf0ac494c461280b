/**
 * Two runs that need exact timing, on node:http with keep-alive sockets:
 *  - `fixedRate`, open loop: requests leave at evenly spaced instants whether or not earlier
 *    ones have been answered, and each latency counts from the instant the request was due (a
 *    stall shows in every request it delays). autocannon's own rate limit (`overallRate`) is not
 *    used: it hands each connection its quota at the start of every second, so a "half rate"
 *    run is a full-concurrency burst for half of each second.
 *  - `sequential`: one request at a time on one socket, timed to 0.1 ms (autocannon rounds
 *    latencies to whole milliseconds, too coarse for a ~2 ms create).
 */
import * as http from 'node:http';
import { LatencyStats, percentiles } from './latency';

export interface HttpLoadOptions {
  url: string;
  seconds: number;
  headers: Record<string, string>;
  body: (i: number) => string;
  expectStatus: number;
}

export interface HttpLoadResult extends LatencyStats {
  ok: number;
  failed: number;
  /** The failed ones by HTTP status; `0`: no answer (connection refused, reset, closed). */
  failures?: Record<number, number>;
  /** Answered with `expectStatus` per second. */
  perSecond: number;
}

function post(
  agent: http.Agent,
  url: URL,
  headers: Record<string, string>,
  body: string,
): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

type Counts = Required<Pick<HttpLoadResult, 'ok' | 'failed' | 'failures'>>;

const newCounts = (): Counts => ({ ok: 0, failed: 0, failures: {} });

function tally(counts: Counts, status: number, expected: number): void {
  if (status === expected) {
    counts.ok++;
    return;
  }
  counts.failed++;
  counts.failures[status] = (counts.failures[status] ?? 0) + 1;
}

export interface FixedRateResult extends HttpLoadResult {
  /**
   * p99 of how late the generator itself issued requests (ms). When this is more than a
   * millisecond or two the load generator, not the server, was behind, and the latencies
   * include its delay.
   */
  generatorLateP99: number;
}

export async function fixedRate(
  options: HttpLoadOptions & { rate: number; maxSockets?: number },
): Promise<FixedRateResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 });
  const url = new URL(options.url);
  const total = Math.max(1, Math.round(options.rate * options.seconds));
  const latencies: number[] = [];
  const late: number[] = [];
  const counts = newCounts();
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  const send = async (i: number) => {
    const due = start + (i * 1000) / options.rate;
    late.push(performance.now() - due);
    const status = await post(agent, url, options.headers, options.body(i));
    latencies.push(performance.now() - due);
    tally(counts, status, options.expectStatus);
  };
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(
        total,
        Math.floor(((performance.now() - start) / 1000) * options.rate) + 1,
      );
      for (; sent < due; sent++) inFlight.push(send(sent));
      if (sent >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.all(inFlight);
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  return {
    ...counts,
    perSecond: counts.ok / seconds,
    ...percentiles(latencies),
    generatorLateP99: percentiles(late).p99,
  };
}

export async function sequential(options: HttpLoadOptions): Promise<HttpLoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(options.url);
  const latencies: number[] = [];
  const counts = newCounts();
  const start = performance.now();
  const end = start + options.seconds * 1000;
  for (let i = 0; performance.now() < end; i++) {
    const sentAt = performance.now();
    const status = await post(agent, url, options.headers, options.body(i));
    latencies.push(performance.now() - sentAt);
    tally(counts, status, options.expectStatus);
  }
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  return { ...counts, perSecond: counts.ok / seconds, ...percentiles(latencies) };
}
