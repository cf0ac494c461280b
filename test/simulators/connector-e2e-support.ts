import { paymentBody, submitCheckout, TestServer, eventually } from '../support/test-server';

/** Helpers shared by the connector e2e specs (Mollie, MultiSafepay, Stripe). */
export class ConnectorHarness {
  constructor(
    readonly server: TestServer,
    private readonly adminToken: string,
  ) {}

  static async open(server: TestServer): Promise<ConnectorHarness> {
    return new ConnectorHarness(server, await server.adminToken());
  }

  async createAccount(body: Record<string, unknown>): Promise<{ status: number; body: any }> {
    return this.server.request('POST', '/api/v1/admin/provider-accounts', { token: this.adminToken, body: { name: `${body.provider} account`, testMode: true, ...body } });
  }

  async createPayment(providerAccountId: string, overrides: Record<string, unknown> = {}): Promise<any> {
    const created = await this.server.request('POST', '/api/v1/payments', { body: paymentBody({ providerAccountId, ...overrides }) });
    if (created.status !== 201) throw new Error(`payment not created: ${created.status} ${JSON.stringify(created.body)}`);
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
  async checkout(checkoutUrl: string, outcome: string): Promise<Response> {
    return submitCheckout(checkoutUrl, { outcome });
  }

  /** The stored attempt rows of a payment (error code, retryable flag). */
  async attempts(paymentId: string): Promise<{ errorCode: string | null; retryable: boolean | null; errorMessage: string | null }[]> {
    const q = this.server.dataSource.driver.escape.bind(this.server.dataSource.driver);
    const rows = await this.server.dataSource.query(
      `SELECT ${q('errorCode')} AS code, ${q('retryable')} AS retryable, ${q('errorMessage')} AS message FROM payment_attempts WHERE ${q('paymentId')} = '${paymentId}'`,
    );
    return rows.map((r: any) => ({ errorCode: r.code, retryable: r.retryable === null ? null : Boolean(r.retryable), errorMessage: r.message }));
  }
}
