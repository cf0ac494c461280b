import {
  eventually,
  freePort,
  paymentBody,
  startTestServer,
  submitCheckout,
  TestServer,
} from '../support/test-server';
import type { Type } from '@nestjs/common';
import type { PspSimulator } from './psp-simulator';
import type { PaymentProvider } from '../../src/providers/provider.interface';
import type { Dialect } from '../support/services';
import { ReconciliationService } from '../../src/reconciliation/reconciliation.service';

/** Helpers shared by the connector e2e specs. */
export class ConnectorHarness {
  constructor(
    readonly server: TestServer,
    private readonly adminToken: string,
  ) {}

  static async open(server: TestServer): Promise<ConnectorHarness> {
    return new ConnectorHarness(server, await server.adminToken());
  }

  async createAccount(body: Record<string, unknown>): Promise<{ status: number; body: any }> {
    return this.server.request('POST', '/api/v1/admin/provider-accounts', {
      token: this.adminToken,
      body: { name: `${body.provider} account`, testMode: true, ...body },
    });
  }

  async createPayment(
    providerAccountId: string,
    overrides: Record<string, unknown> = {},
  ): Promise<any> {
    const created = await this.server.request('POST', '/api/v1/payments', {
      body: paymentBody({ providerAccountId, ...overrides }),
    });
    if (created.status !== 201)
      throw new Error(`payment not created: ${created.status} ${JSON.stringify(created.body)}`);
    return created.body;
  }

  async payment(id: string): Promise<any> {
    return (await this.server.request('GET', `/api/v1/payments/${id}`)).body;
  }

  async events(id: string): Promise<any[]> {
    return (await this.server.request('GET', `/api/v1/payments/${id}/events`)).body.data;
  }

  async refunds(id: string): Promise<any[]> {
    return (await this.server.request('GET', `/api/v1/payments/${id}/refunds`)).body.data;
  }

  async waitForStatus(id: string, status: string): Promise<any> {
    return eventually(async () => {
      const payment = await this.payment(id);
      return payment.status === status ? payment : undefined;
    });
  }

  /** The customer picks an outcome on the PSP's hosted page; answers the PSP's redirect. */
  async checkout(
    checkoutUrl: string,
    outcome: string,
    fields: Record<string, string> = {},
  ): Promise<Response> {
    return submitCheckout(checkoutUrl, { outcome, ...fields });
  }

  /**
   * Before asserting that a rejected webhook cost no provider call: gives anything it might
   * (wrongly) have started after its 401 time to reach the simulator.
   */
  async webhooksSettled(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 300));
  }

  /** One reconciler run, as the timer would start it. */
  async reconcile(): Promise<number> {
    return this.server.server.app.get(ReconciliationService).runOnce();
  }

  /** A payment as the admin API shows it (with needsAttention). */
  async adminPayment(id: string): Promise<any> {
    return (
      await this.server.request('GET', `/api/v1/admin/payments/${id}`, { token: this.adminToken })
    ).body;
  }

  /** The status changes of a payment's refunds (not ignored). */
  async refundChanges(id: string): Promise<any[]> {
    return (await this.events(id)).filter((e) => e.type === 'refund.status_changed' && !e.ignored);
  }

  /** Outbox events (notifications to the shop) of one type for a payment. */
  async outbox(paymentId: string, type: string): Promise<any[]> {
    const q = this.server.dataSource.driver.escape.bind(this.server.dataSource.driver);
    const rows = await this.server.dataSource.query(
      `SELECT payload FROM outbox_events WHERE ${q('paymentId')} = '${paymentId}' AND type = '${type}'`,
    );
    return rows.map((r: any) => JSON.parse(r.payload));
  }

  /** The stored attempt rows of a payment (error code, retryable flag). */
  async attempts(
    paymentId: string,
  ): Promise<
    { errorCode: string | null; retryable: boolean | null; errorMessage: string | null }[]
  > {
    const q = this.server.dataSource.driver.escape.bind(this.server.dataSource.driver);
    const rows = await this.server.dataSource.query(
      `SELECT ${q('errorCode')} AS code, ${q('retryable')} AS retryable, ${q('errorMessage')} AS message FROM payment_attempts WHERE ${q('paymentId')} = '${paymentId}'`,
    );
    return rows.map((r: any) => ({
      errorCode: r.code,
      retryable: r.retryable === null ? null : Boolean(r.retryable),
      errorMessage: r.message,
    }));
  }
}

/** What a connector suite works with, filled in by `beforeAll`. */
export interface ConnectorSuite<S extends PspSimulator> {
  server: TestServer;
  sim: S;
  h: ConnectorHarness;
  accountId: string;
  /** The provider account's webhook URL, as the server hands it out. */
  webhookUrl: string;
  /** The public listener's URL, with `publicListener`. */
  publicUrl?: string;
}

/**
 * For the enclosing describe block: starts the simulator and the server (reconciliation only
 * when a test asks for it), creates the provider account against the simulator, and stops both
 * afterwards. With `publicListener`, webhooks (and redirects back) arrive on the public listener,
 * as in production, and the account's webhook URL must point there.
 */
export function useConnectorSuite<S extends PspSimulator>(options: {
  simulator: () => S;
  /** The provider account's body (the harness adds a name and testMode unless given). */
  account: (sim: S) => Record<string, unknown>;
  publicListener?: boolean;
  /** More server configuration (e.g. the reconciler's retry schedule). */
  env?: Record<string, string>;
  dialect?: Dialect;
  /** Connectors beyond the built-in ones (test/support/connectors/). */
  connectors?: readonly Type<PaymentProvider>[];
}): ConnectorSuite<S> {
  const suite = {} as ConnectorSuite<S>;
  beforeAll(async () => {
    suite.sim = await options.simulator().start();
    const env: Record<string, string> = {
      PAYMENTSERVER_RECONCILE_AFTER_SECONDS: '0',
      PAYMENTSERVER_RECONCILE_INTERVAL_SECONDS: '0',
      ...options.env,
    };
    if (options.publicListener) {
      const publicPort = await freePort();
      suite.publicUrl = `http://127.0.0.1:${publicPort}`;
      Object.assign(env, {
        PAYMENTSERVER_PUBLIC_PORT: String(publicPort),
        PAYMENTSERVER_PUBLIC_URL: suite.publicUrl,
      });
    }
    suite.server = await startTestServer({
      env,
      dialect: options.dialect,
      connectors: options.connectors,
    });
    suite.h = await ConnectorHarness.open(suite.server);
    const body = options.account(suite.sim);
    const account = await suite.h.createAccount(body);
    expect(account.status).toBe(201);
    suite.accountId = account.body.id;
    suite.webhookUrl = account.body.webhookUrl;
    if (options.publicListener)
      expect(suite.webhookUrl).toBe(
        `${suite.publicUrl}/webhooks/${body.provider}/${suite.accountId}`,
      );
  });

  afterAll(async () => {
    await suite.sim?.stop();
    await suite.server?.close();
  });

  return suite;
}
