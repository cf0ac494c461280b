import { randomBytes } from 'node:crypto';
import { WebhookDelivery } from '../../src/webhooks/webhook-delivery.entity';
import { AdyenSimulator, adyenTestCredentials } from '../simulators/adyen/adyen-simulator';
import { ConnectorHarness } from '../simulators/connector-e2e-support';
import { MollieSimulator } from '../simulators/mollie/mollie.simulator';
import { enabledDialects } from '../support/services';
import { eventually, startTestServer, submitCheckout, TestServer } from '../support/test-server';

const INBOX = '/api/v1/admin/provider-webhooks';

/**
 * The provider webhook inbox for operators: every stored delivery listed (failed and dead ones
 * too) with filters and a cursor, one shown with its headers and body (signatures masked), and
 * replayed through the same processing as on arrival. Retries run in seconds here, so a
 * failing delivery is dead within the test.
 */
describe.each(enabledDialects())('the provider webhook inbox in the admin API (%s)', (dialect) => {
  let server: TestServer;
  let h: ConnectorHarness;
  let token: string;
  let adyen: AdyenSimulator;
  let adyenAccount: string;
  let mollie: MollieSimulator;
  let mollieAccount: string;
  let mollieWebhookUrl: string;
  const adyenCredentials = adyenTestCredentials();

  beforeAll(async () => {
    server = await startTestServer({
      dialect,
      env: {
        PAYMENTSERVER_WEBHOOK_RETRY_BASE_SECONDS: '2',
        PAYMENTSERVER_WEBHOOK_RETRY_MAX_DELAY_SECONDS: '4',
        PAYMENTSERVER_WEBHOOK_RETRY_HORIZON_SECONDS: '8',
        PAYMENTSERVER_WEBHOOK_RETRY_INTERVAL_MS: '100',
        PAYMENTSERVER_RECONCILE_INTERVAL_SECONDS: '0',
      },
    });
    h = await ConnectorHarness.open(server);
    token = await server.adminToken();
    adyen = await new AdyenSimulator(adyenCredentials).start();
    const a = await h.createAccount({
      provider: 'adyen',
      credentials: adyenCredentials,
      baseUrl: adyen.baseUrl,
      settings: { requestTimeoutMs: 2000 },
    });
    adyenAccount = a.body.id;
    adyen.webhookUrl = a.body.webhookUrl;
    mollie = await new MollieSimulator().start();
    const m = await h.createAccount({
      provider: 'mollie',
      credentials: { apiKey: mollie.apiKey },
      baseUrl: mollie.url,
      settings: { requestTimeoutMs: 1000 },
    });
    mollieAccount = m.body.id;
    mollieWebhookUrl = m.body.webhookUrl;
  });

  afterAll(async () => {
    await adyen?.stop();
    await mollie?.stop();
    await server?.close();
  });

  const inbox = (method: string, path = '', options: { token?: string } = {}) =>
    server.request(method, `${INBOX}${path}`, { token: options.token ?? token });
  const list = async (query: Record<string, string>) => {
    const response = await inbox('GET', `?${new URLSearchParams(query)}`);
    expect(response.status).toBe(200);
    return response.body as { data: any[]; nextCursor: string | null };
  };
  /** Every row a filter finds, page by page. */
  const listAll = async (query: Record<string, string> = {}) => {
    const rows: any[] = [];
    let cursor: string | null = null;
    do {
      const page = await list({ ...query, limit: '100', ...(cursor ? { cursor } : {}) });
      rows.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    return rows;
  };
  const stored = (id: string) =>
    server.dataSource.getRepository(WebhookDelivery).findOneByOrFail({ id });
  const adyenPaid = async (amount = 1050) => {
    const created = await h.createPayment(adyenAccount, {
      amount: { value: amount, currency: 'EUR' },
    });
    await submitCheckout(created.checkoutUrl, { outcome: 'paid' });
    return h.waitForStatus(created.id, 'paid');
  };
  /** The inbox gauge as /metrics shows it: `provider/status` → count. */
  const gauge = async () => {
    const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
    const counts = new Map<string, number>();
    for (const [, provider, status, value] of text.matchAll(
      /^paymentserver_provider_webhooks\{provider="([^"]+)",status="([^"]+)"\} (\d+)$/gm,
    ))
      counts.set(`${provider}/${status}`, Number(value));
    return counts;
  };
  /** Every inbox row counted by provider and status through the list route agrees with the gauge. */
  const expectGaugeAgrees = async () => {
    const rows = await listAll();
    const counted = new Map<string, number>();
    for (const row of rows)
      counted.set(
        `${row.provider}/${row.status}`,
        (counted.get(`${row.provider}/${row.status}`) ?? 0) + 1,
      );
    const shown = await gauge();
    for (const provider of new Set(rows.map((r) => r.provider)))
      for (const status of ['received', 'processed', 'failed', 'dead', 'rejected'])
        expect([`${provider}/${status}`, shown.get(`${provider}/${status}`)]).toEqual([
          `${provider}/${status}`,
          counted.get(`${provider}/${status}`) ?? 0,
        ]);
    return counted;
  };

  it('lists stored deliveries newest first, filtered by account, status and payment, paged with a cursor', async () => {
    const payments = [await adyenPaid(), await adyenPaid(), await adyenPaid()];

    const first = await list({ providerAccountId: adyenAccount, limit: '2' });
    expect(first.data).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await list({
      providerAccountId: adyenAccount,
      limit: '2',
      cursor: first.nextCursor!,
    });
    expect(second.nextCursor).toBeNull();
    const rows = [...first.data, ...second.data];
    expect(rows.map((r) => r.paymentId)).toEqual(payments.map((p) => p.id).reverse());
    const times = rows.map((r) => r.receivedAt);
    expect([...times].sort().reverse()).toEqual(times);

    const one = await list({ paymentId: payments[0].id });
    expect(one).toEqual({
      data: [
        {
          id: expect.stringMatching(/^whk_[A-Za-z0-9]{24}$/),
          provider: 'adyen',
          providerAccountId: adyenAccount,
          status: 'processed',
          verified: true,
          attempts: 1,
          nextAttemptAt: null,
          error: null,
          paymentId: payments[0].id,
          receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.+Z$/),
          processedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.+Z$/),
        },
      ],
      nextCursor: null,
    });
    expect(
      (await list({ providerAccountId: adyenAccount, status: 'processed' })).data,
    ).toHaveLength(3);
    expect((await list({ providerAccountId: adyenAccount, status: 'rejected' })).data).toEqual([]);
    expect((await list({ providerAccountId: mollieAccount })).data).toEqual([]);
  });

  it('shows one delivery with its headers and body, signatures masked', async () => {
    // The test provider signs in a header; Adyen signs each item in its body.
    const created = await h.createPayment('test');
    await submitCheckout(created.checkoutUrl, { outcome: 'paid' });
    await h.waitForStatus(created.id, 'paid');
    const [row] = (await list({ paymentId: created.id })).data;
    const detail = await inbox('GET', `/${row.id}`);
    expect(detail.status).toBe(200);
    const raw = await stored(row.id);
    expect(raw.headers['test-signature']).toMatch(/v1=/);
    expect(detail.body).toMatchObject({
      ...row,
      lastAttemptAt: expect.any(String),
      headers: { 'content-type': 'application/json', 'test-signature': '[REDACTED]' },
    });
    expect(JSON.parse(detail.body.body)).toEqual(JSON.parse(raw.body));
    expect(JSON.stringify(detail.body)).not.toContain(raw.headers['test-signature']);

    const paid = await adyenPaid();
    const [adyenRow] = (await list({ paymentId: paid.id })).data;
    const shown = (await inbox('GET', `/${adyenRow.id}`)).body;
    const item = JSON.parse(shown.body).notificationItems[0].NotificationRequestItem;
    expect(item).toMatchObject({
      eventCode: 'AUTHORISATION',
      merchantReference: paid.id,
      additionalData: { hmacSignature: '[REDACTED]' },
    });
    const hmac = JSON.parse((await stored(adyenRow.id)).body).notificationItems[0]
      .NotificationRequestItem.additionalData.hmacSignature;
    expect(hmac).toMatch(/^[A-Za-z0-9+/]{20,}=*$/);
    expect(JSON.stringify(shown)).not.toContain(hmac);
  });

  it('answers 400 naming the field for a bad status, limit or cursor, 404 for an unknown id, and needs an admin token', async () => {
    for (const [query, field] of [
      ['status=lost', 'status'],
      ['limit=101', 'limit'],
      ['limit=0', 'limit'],
      ['cursor=not-a-cursor', 'cursor'],
      ['providerAccountId=', 'providerAccountId'],
      ['colour=red', 'colour'],
    ]) {
      const response = await inbox('GET', `?${query}`);
      expect([query, response.status, response.headers.get('content-type')]).toEqual([
        query,
        400,
        expect.stringContaining('application/problem+json'),
      ]);
      expect(response.body.errors.map((e: any) => e.field)).toContain(field);
    }
    expect((await inbox('GET', '/whk_unknown')).status).toBe(404);
    expect((await inbox('POST', '/whk_unknown/replay')).status).toBe(404);

    const doc = (await server.request('GET', '/swagger/json')).body;
    expect(doc.paths[INBOX].get.parameters.find((p: any) => p.name === 'status').schema).toEqual(
      expect.objectContaining({ enum: ['received', 'processed', 'failed', 'dead', 'rejected'] }),
    );
    expect(Object.keys(doc.paths[`${INBOX}/{id}/replay`].post.responses).sort()).toEqual([
      '200',
      '401',
      '403',
      '404',
      '409',
    ]);
    expect(doc.paths[`${INBOX}/{id}`].get.responses['200']).toBeDefined();

    expect((await server.request('GET', INBOX)).status).toBe(401);
    const noAdmin = await server.adminToken({ scope: '' });
    expect((await inbox('GET', '', { token: noAdmin })).status).toBe(403);
    expect((await inbox('POST', '/whk_unknown/replay', { token: noAdmin })).status).toBe(403);
  });

  it('replays a processed delivery: nothing changes, the state machine ignores the repeat', async () => {
    const paid = await adyenPaid();
    const [row] = (await list({ paymentId: paid.id })).data;
    const events = await h.events(paid.id);
    const told = await h.outbox(paid.id, 'payment.status_changed');

    const replayed = await inbox('POST', `/${row.id}/replay`);
    expect(replayed.status).toBe(200);
    expect(replayed.body).toMatchObject({
      id: row.id,
      status: 'processed',
      attempts: 2,
      error: null,
    });
    expect(await h.payment(paid.id)).toEqual(paid);
    expect(await h.events(paid.id)).toEqual(events);
    expect(await h.outbox(paid.id, 'payment.status_changed')).toEqual(told);
  });

  it('replays a rejected delivery: its signed fields are checked again and it stays rejected', async () => {
    const created = await h.createPayment(adyenAccount, {
      amount: { value: 100_000, currency: 'EUR' },
    });
    // Genuinely signed, but for EUR 1 instead of EUR 1,000.
    await adyen.notify({
      pspReference: randomBytes(8).toString('hex').toUpperCase(),
      merchantReference: created.id,
      eventCode: 'AUTHORISATION',
      success: true,
      amount: { currency: 'EUR', value: 100 },
      additionalData: { paymentLinkId: created.provider.paymentId },
    });
    const [row] = (await list({ providerAccountId: adyenAccount, status: 'rejected' })).data;
    expect(row).toMatchObject({
      paymentId: created.id,
      attempts: 1,
      error: expect.stringMatching(/^amount_mismatch/),
    });

    const replayed = await inbox('POST', `/${row.id}/replay`);
    expect(replayed.body).toMatchObject({
      status: 'rejected',
      attempts: 2,
      error: expect.stringMatching(/^amount_mismatch/),
    });
    expect((await h.payment(created.id)).status).toBe('pending');
    expect((await h.events(created.id)).filter((e) => e.source === 'webhook')).toEqual([]);
  });

  it('a delivery that keeps failing is listed as failed, then dead, counted in /metrics; once the cause is fixed a replay fetches the state again and applies it, one replay at a time', async () => {
    const created = await h.createPayment(mollieAccount);
    mollie.dropWebhooks = true;
    await submitCheckout(created.checkoutUrl, { outcome: 'paid' });
    // The account's API key is wrong from now on: every fetch of the payment is refused.
    const patch = (apiKey: string) =>
      server.request('PATCH', `/api/v1/admin/provider-accounts/${mollieAccount}`, {
        token,
        body: { credentials: { apiKey } },
      });
    expect((await patch(`test_${randomBytes(15).toString('hex')}`)).status).toBe(200);
    const delivered = await fetch(mollieWebhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `id=${created.provider.paymentId}`,
    });
    expect(delivered.status).toBe(200);

    const [failed] = (await list({ status: 'failed', paymentId: created.id })).data;
    expect(failed).toMatchObject({
      provider: 'mollie',
      verified: false,
      attempts: 1,
      nextAttemptAt: expect.any(String),
      error: expect.any(String),
    });
    const dead = await eventually(async () => {
      const [row] = (await list({ status: 'dead', providerAccountId: mollieAccount })).data;
      return row;
    }, 30_000);
    expect(dead).toMatchObject({ id: failed.id, nextAttemptAt: null, processedAt: null });
    expect((await expectGaugeAgrees()).get('mollie/dead')).toBe(1);
    expect((await h.payment(created.id)).status).toBe('pending');

    // The key is fixed; Mollie is slow to answer the first replay's fetch.
    expect((await patch(mollie.apiKey)).status).toBe(200);
    mollie.failNextCall('hang', { method: 'GET', path: new RegExp(created.provider.paymentId) });
    const slow = inbox('POST', `/${dead.id}/replay`);
    await eventually(async () => mollie.requests.some((c) => c.fault === 'hang'));
    const busy = await inbox('POST', `/${dead.id}/replay`);
    expect(busy).toMatchObject({ status: 409, body: { code: 'webhook_delivery_busy' } });
    const timedOut = await slow;
    expect(timedOut.body).toMatchObject({ status: 'dead', attempts: dead.attempts + 1 });

    const replayed = await inbox('POST', `/${dead.id}/replay`);
    expect(replayed.body).toMatchObject({
      status: 'processed',
      attempts: dead.attempts + 2,
      error: null,
      nextAttemptAt: null,
      processedAt: expect.any(String),
    });
    expect((await h.payment(created.id)).status).toBe('paid');
    expect((await h.events(created.id)).filter((e) => e.toStatus === 'paid')).toEqual([
      expect.objectContaining({ source: 'webhook', ignored: false }),
    ]);
    const counted = await expectGaugeAgrees();
    expect(counted.get('mollie/dead')).toBeUndefined();
    expect(counted.get('mollie/processed')).toBe(1);
  });
});
