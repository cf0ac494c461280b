/**
 * Verified webhook intake: `test` provider webhooks, signed exactly as src/providers/test/
 * signs and verifies them (its own TestWebhookSigner), each reporting `paid` for its own
 * pending payment, sent by `connections` clients. Counts only webhooks answered 200, and
 * checks afterwards that every one of them was applied (the payment is `paid`).
 */
import type { BenchOptions } from '../support/options';
import { closedLoop } from '../support/closed-loop';
import type { LatencyStats } from '../support/latency';
import { benchAppConfig, freshDatabase, openDataSource } from '../support/databases';
import { startPaymentServer } from '../support/targets';
import { JSON_HEADERS } from '../support/payment-body';
import {
  TEST_SIGNATURE_HEADER,
  TestWebhookSigner,
} from '../../src/providers/test/test-webhook.signer';
import { TEST_PROVIDER_ACCOUNT_ID, TestWebhookBody } from '../../src/providers/test/test.provider';
import { Integration } from '../../src/integrations/integration.entity';
import { Payment } from '../../src/payments/entities/payment.entity';

export const WEBHOOK_GOAL_PER_SECOND = 2000;

export interface WebhookIntakeResult extends LatencyStats {
  database: string;
  connections: number;
  webhooks: number;
  ok: number;
  failed: number;
  perSecond: number;
  cpuMsPerWebhook: number;
  /** Payments `paid` afterwards: must equal every webhook sent (warm-up included). */
  paymentsPaid: number;
  sent: number;
  peakRssMb: number;
}

const providerPaymentId = (i: number) => `tp_bench${String(i).padStart(16, '0')}`;

/** `count` pending payments taken by the test provider, as a create would have left them. */
async function seedPayments(
  db: Awaited<ReturnType<typeof freshDatabase>>,
  count: number,
): Promise<void> {
  const dataSource = await openDataSource(db);
  try {
    const integration = await dataSource
      .getRepository(Integration)
      .findOneByOrFail({ name: 'default' });
    const now = new Date();
    for (let from = 0; from < count; from += 200) {
      const rows: Payment[] = [];
      for (let i = from; i < Math.min(count, from + 200); i++) {
        rows.push({
          id: `pay_bench${String(i).padStart(15, '0')}`,
          integrationId: integration.id,
          status: 'pending',
          amountValue: 1050,
          currency: 'EUR',
          amountCaptured: 0,
          amountRefunded: 0,
          description: `Order #${i}`,
          reference: `bench-${i}`,
          method: null,
          captureMode: 'automatic',
          customer: null,
          metadata: null,
          returnUrl: 'https://shop.example/orders/return',
          cancelUrl: null,
          checkoutUrl: null,
          providerName: 'test',
          providerAccountId: TEST_PROVIDER_ACCOUNT_ID,
          providerPaymentId: providerPaymentId(i),
          providerReference: null,
          routing: null,
          failureCode: null,
          failureMessage: null,
          lastPolledAt: null,
          version: 1,
          createdAt: now,
          updatedAt: now,
        });
      }
      await dataSource.getRepository(Payment).insert(rows);
    }
  } finally {
    await dataSource.destroy();
  }
}

async function countPaid(db: Awaited<ReturnType<typeof freshDatabase>>): Promise<number> {
  const dataSource = await openDataSource(db);
  try {
    return await dataSource.getRepository(Payment).countBy({ status: 'paid' });
  } finally {
    await dataSource.destroy();
  }
}

export async function runWebhookIntake(
  options: BenchOptions,
  log: (line: string) => void = console.log,
): Promise<WebhookIntakeResult> {
  const signer = new TestWebhookSigner(benchAppConfig());
  const warmup = options.smoke ? 0 : Math.min(2000, Math.round(options.webhooks / 5));
  const db = await freshDatabase(options.dialect, options.serverUrl, 'webhooks');
  try {
    const { server, baseUrl } = await startPaymentServer(db, { fromSource: options.smoke });
    try {
      log(
        `webhook-intake: seeding ${warmup + options.webhooks} pending payments on ${options.dialect}`,
      );
      await seedPayments(db, warmup + options.webhooks);
      const url = `${baseUrl}/webhooks/test/${TEST_PROVIDER_ACCOUNT_ID}`;
      const signed = (offset: number) => (i: number) => {
        const body: TestWebhookBody = {
          id: `tpevt_bench${offset + i}`,
          type: 'payment.updated',
          createdAt: new Date().toISOString(),
          data: {
            id: providerPaymentId(offset + i),
            status: 'paid',
            amount: { value: 1050, currency: 'EUR' },
            amountCaptured: 1050,
          },
        };
        return JSON.stringify(body);
      };
      // The signature goes in a header, so each request is built whole here.
      const send = (offset: number, amount: number) =>
        closedLoop({
          url,
          connections: Math.min(options.connections, amount),
          amount,
          headers: JSON_HEADERS,
          expectStatus: 200,
          body: signed(offset),
          sign: (body) => ({
            [TEST_SIGNATURE_HEADER]: signer.sign(TEST_PROVIDER_ACCOUNT_ID, body),
          }),
        });
      if (warmup > 0) await send(0, warmup);
      const before = server.cpu();
      const run = await send(warmup, options.webhooks);
      const cpu = server.cpu().process - before.process;
      log(`webhook-intake: ${Math.round(run.perSecond)} verified webhooks/s, p99 ${run.p99} ms`);
      const peakRssMb = server.peakRssMb();
      await server.stop();
      return {
        database: options.dialect,
        connections: options.connections,
        webhooks: options.webhooks,
        ok: run.ok,
        failed: run.failed,
        perSecond: Math.round(run.perSecond),
        cpuMsPerWebhook: Math.round((cpu * 1000 * 100) / Math.max(1, run.ok)) / 100,
        p50: run.p50,
        p90: run.p90,
        p99: run.p99,
        max: run.max,
        paymentsPaid: await countPaid(db),
        sent: warmup + options.webhooks,
        peakRssMb,
      };
    } finally {
      await server.stop();
    }
  } finally {
    await db.drop();
  }
}
