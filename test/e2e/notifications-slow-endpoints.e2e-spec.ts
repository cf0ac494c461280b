import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually, startTestServer, TestServer } from '../support/test-server';
import { deliveriesOf, endpointsPerTest, paidPayment } from '../support/notifications';
import { WebhookReceiver } from '../support/webhook-receiver';

/**
 * A shop endpoint that misbehaves slowly. `drip`: answers 200 at once, then one byte of body at a
 * time and never ends. `hold`: reads the request and answers only when released.
 */
class SlowEndpoint {
  readonly arrived: string[] = [];
  /** Connections the client (the server under test) closed while the answer was still coming. */
  cutOff = 0;
  answered = 0;
  inFlight = 0;
  maxInFlight = 0;
  private readonly held: (() => void)[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private server?: http.Server;
  url = '';

  constructor(private readonly mode: 'drip' | 'hold') {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        this.arrived.push(String(req.headers['webhook-id']));
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          this.inFlight--;
        };
        res.on('close', () => {
          if (!res.writableEnded) this.cutOff++;
          finish();
        });
        if (this.mode === 'drip') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          const timer = setInterval(() => res.write('.'), 100);
          this.timers.add(timer);
          res.on('close', () => {
            clearInterval(timer);
            this.timers.delete(timer);
          });
        } else {
          this.held.push(() => {
            this.answered++;
            res.writeHead(200).end();
          });
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Answers every held request, and from now on every new one at once. */
  release(): void {
    this.held.splice(0).forEach((answer) => answer());
    this.held.push = ((answer: () => void) => {
      answer();
      return 0;
    }) as never;
  }

  async stop(): Promise<void> {
    this.timers.forEach((timer) => clearInterval(timer));
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}

/** A server whose notification worker has a small batch, so that slots are scarce. */
function useServer(env: Record<string, string>): {
  server: TestServer;
  endpoint: (body: Record<string, unknown>) => Promise<any>;
} {
  const handle = {} as {
    server: TestServer;
    endpoint: (body: Record<string, unknown>) => Promise<any>;
  };
  handle.endpoint = endpointsPerTest(() => handle.server);
  beforeAll(async () => {
    handle.server = await startTestServer({
      env: {
        PAYMENTSERVER_NOTIFICATION_BATCH_SIZE: '6',
        PAYMENTSERVER_NOTIFICATION_ENDPOINT_CONCURRENCY: '2',
        PAYMENTSERVER_NOTIFICATION_POLL_INTERVAL_MS: '100',
        // One attempt per delivery within a test: the next would come long after it.
        PAYMENTSERVER_NOTIFICATION_RETRY_SCHEDULE: '3600',
        ...env,
      },
    });
  });
  afterAll(async () => {
    await handle.server?.close();
  });
  return handle;
}

describe('notifications: an endpoint that drips its answer (sqlite)', () => {
  const s = useServer({ PAYMENTSERVER_NOTIFICATION_HTTP_TIMEOUT_SECONDS: '2' });
  let dripping: SlowEndpoint;

  beforeAll(async () => {
    dripping = await new SlowEndpoint('drip').start();
  });

  afterAll(async () => {
    await dripping?.stop();
  });

  it('is cut off at the deadline, and the attempt counts as failed', async () => {
    const hooks = await s.endpoint({ type: 'webhook', url: `${dripping.url}/drip` });
    await paidPayment(s.server);

    const [delivery] = await eventually(async () => {
      const rows = await deliveriesOf(s.server, hooks.id);
      return rows.length > 0 && rows[0].attemptCount === 1 ? rows : undefined;
    }, 20_000);
    expect(delivery.status).toBe('failing');
    expect(delivery.lastResponseCode).toBe(200);
    expect(delivery.lastError).toContain('deadline');
    // The endpoint had sent its 200 and kept dripping: we hung up, it did not finish.
    expect(dripping.arrived).toHaveLength(1);
    await eventually(async () => dripping.cutOff === 1);
  });
});

describe('notifications: a slow endpoint next to a healthy one (sqlite)', () => {
  // A deadline far beyond the test: only the cap can keep the slow endpoint from every slot.
  const s = useServer({ PAYMENTSERVER_NOTIFICATION_HTTP_TIMEOUT_SECONDS: '120' });
  let healthy: WebhookReceiver;
  let stuck: SlowEndpoint;

  beforeAll(async () => {
    healthy = await new WebhookReceiver().start();
    stuck = await new SlowEndpoint('hold').start();
  });

  afterAll(async () => {
    await stuck?.stop();
    await healthy?.stop();
  });

  it('keeps the slow endpoint to its concurrency cap while the healthy one gets every event', async () => {
    const server = s.server;
    const slowHooks = await s.endpoint({ type: 'webhook', url: `${stuck.url}/slow` });
    const healthyHooks = await s.endpoint({ type: 'webhook', url: healthy.url('/healthy') });
    const payments = 12;
    for (let i = 0; i < payments; i++) await paidPayment(server);
    const expected = (
      await eventually(async () => {
        const rows = await deliveriesOf(server, healthyHooks.id);
        return rows.length >= payments ? rows : undefined;
      })
    ).length;

    // More due events than the whole batch (6): without the cap the slow endpoint would take
    // every slot, and nothing would reach the healthy one until it answered.
    await eventually(
      async () =>
        new Set(healthy.at('/healthy').map((r) => r.headers['webhook-id'])).size === expected,
      30_000,
    );
    expect(stuck.answered).toBe(0);
    expect(stuck.arrived.length).toBeLessThanOrEqual(2);
    expect(stuck.maxInFlight).toBeLessThanOrEqual(2);
    expect(
      (await deliveriesOf(server, healthyHooks.id)).every((d) => d.status === 'delivered'),
    ).toBe(true);

    // Once it answers, it gets everything too, never more than two at a time.
    stuck.release();
    await eventually(
      async () =>
        (await deliveriesOf(server, slowHooks.id)).filter((d) => d.status === 'delivered')
          .length === expected,
      30_000,
    );
    expect(new Set(stuck.arrived).size).toBe(expected);
    expect(stuck.maxInFlight).toBe(2);
  });
});
