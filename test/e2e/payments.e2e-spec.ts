import { createHash, randomBytes } from 'node:crypto';
import { ApiKeyService } from '../../src/integrations/api-key.service';
import { Integration } from '../../src/integrations/integration.entity';
import { TestWebhookSigner } from '../../src/providers/test/test-webhook.signer';
import { enabledDialects } from '../support/services';
import {
  eventually,
  insertTestAccount,
  paymentBody,
  startTestServer,
  submitCheckout,
  TestServer,
} from '../support/test-server';

describe.each(enabledDialects())('payment API on %s', (dialect) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ dialect });
  });

  afterAll(async () => {
    await server?.close();
  });

  const create = (overrides: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    server.request('POST', '/api/v1/payments', { body: paymentBody(overrides), headers });

  const getPayment = async (id: string) =>
    (await server.request('GET', `/api/v1/payments/${id}`)).body;

  async function paidPayment(value = 1050): Promise<any> {
    const created = await create({ amount: { value, currency: 'EUR' } });
    expect(created.status).toBe(201);
    const response = await submitCheckout(created.body.checkoutUrl, { outcome: 'paid' });
    expect(response.status).toBe(303);
    const payment = await getPayment(created.body.id);
    expect(payment.status).toBe('paid');
    return payment;
  }

  /** A test provider webhook saying a EUR 10.50 payment is paid, with `amountCaptured`. */
  const paidWebhookBody = (eventId: string, providerPaymentId: string, amountCaptured: number) =>
    JSON.stringify({
      id: eventId,
      type: 'payment.updated',
      createdAt: new Date().toISOString(),
      data: {
        id: providerPaymentId,
        status: 'paid',
        amount: { value: 1050, currency: 'EUR' },
        amountCaptured,
      },
    });

  const addAccount = (id: string, settings: Record<string, unknown>) =>
    insertTestAccount(server, id, { settings });

  describe('creating a payment', () => {
    it('returns 201 with the checkout URL, the provider and the routing decision', async () => {
      const response = await create({
        metadata: { orderId: '1042' },
        customer: { email: 'jane@example.com', country: 'NL' },
      });
      expect(response.status).toBe(201);
      const payment = response.body;
      expect(payment.id).toMatch(/^pay_[0-9A-Za-z]{24}$/);
      expect(payment.status).toBe('pending');
      expect(payment.amount).toEqual({ value: 1050, currency: 'EUR' });
      expect(payment.amountCaptured).toBe(0);
      expect(payment.captureMode).toBe('automatic');
      expect(payment.metadata).toEqual({ orderId: '1042' });
      expect(payment.customer).toEqual({ email: 'jane@example.com', country: 'NL' });
      expect(payment.checkoutUrl).toMatch(
        new RegExp(`^${server.baseUrl}/test-provider/checkout/tp_`),
      );
      expect(payment.provider).toEqual({
        name: 'test',
        accountId: 'test',
        paymentId: expect.stringMatching(/^tp_/),
        testMode: true,
      });
      expect(payment.routing.ruleId).toBeNull();
      expect(payment.routing.reason).toContain('default account test');
      expect(payment.routing.attempts).toEqual([
        { providerAccountId: 'test', outcome: 'succeeded' },
      ]);
      expect(payment.failure).toBeNull();
      expect(new Date(payment.createdAt).toISOString()).toBe(payment.createdAt);
    });

    it('accepts currencies without minor units (JPY)', async () => {
      const response = await create({ amount: { value: 1500, currency: 'JPY' } });
      expect(response.status).toBe(201);
      expect(response.body.amount).toEqual({ value: 1500, currency: 'JPY' });
    });

    it.each([
      ['an unknown currency', { amount: { value: 100, currency: 'XYZ' } }, 'amount.currency'],
      ['a fractional amount', { amount: { value: 10.5, currency: 'EUR' } }, 'amount.value'],
      ['a zero amount', { amount: { value: 0, currency: 'EUR' } }, 'amount.value'],
      ['a negative amount', { amount: { value: -5, currency: 'EUR' } }, 'amount.value'],
      [
        'an amount given as a string',
        { amount: { value: '1050', currency: 'EUR' } },
        'amount.value',
      ],
      ['a relative return URL', { returnUrl: '/return' }, 'returnUrl'],
      ['a non-http return URL', { returnUrl: 'ftp://shop.example/x' }, 'returnUrl'],
      ['an unknown method', { method: 'cash' }, 'method'],
      ['an unknown capture mode', { captureMode: 'later' }, 'captureMode'],
      ['a bad country', { customer: { country: 'Netherlands' } }, 'customer.country'],
      ['an unknown field', { surprise: true }, 'surprise'],
      ['metadata with a non-string value', { metadata: { a: 1 } }, 'metadata'],
      [
        'metadata with 51 keys',
        { metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) },
        'metadata',
      ],
      ['a too-long reference', { reference: 'r'.repeat(129) }, 'reference'],
    ])('refuses %s with 400 naming the field', async (_name, overrides, field) => {
      const response = await create(overrides);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body).toMatchObject({
        status: 400,
        code: 'validation_failed',
        title: expect.any(String),
        type: expect.any(String),
      });
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('names every missing required field', async () => {
      const response = await server.request('POST', '/api/v1/payments', { body: {} });
      expect(response.status).toBe(400);
      const fields = response.body.errors.map((e: { field: string }) => e.field);
      expect(fields).toEqual(
        expect.arrayContaining(['amount', 'description', 'reference', 'returnUrl']),
      );
    });

    it('answers malformed JSON with a 400 problem, not a 500', async () => {
      const response = await server.request('POST', '/api/v1/payments', {
        body: '{"amount":',
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('bad_request');
    });

    it('refuses an unknown forced provider account with 400', async () => {
      const response = await create({ providerAccountId: 'pa_nope' });
      expect(response.status).toBe(400);
      expect(response.body.errors[0].field).toBe('providerAccountId');
    });
  });

  describe('authentication and isolation', () => {
    it('is 401 without an API key and with a wrong one', async () => {
      expect((await server.request('GET', '/api/v1/payments', { apiKey: null })).status).toBe(401);
      const wrong = await server.request('GET', '/api/v1/payments', { apiKey: 'psk_wrong' });
      expect(wrong.status).toBe(401);
      expect(wrong.body.code).toBe('unauthorized');
    });

    it("hides another integration's payment (404, not 403)", async () => {
      const created = await create();
      const now = new Date();
      const other: Integration = {
        id: `int_${randomBytes(6).toString('hex')}`,
        name: `other-${randomBytes(3).toString('hex')}`,
        defaultProviderAccountId: 'test',
        oidcClientId: null,
        createdAt: now,
        updatedAt: now,
      };
      await server.dataSource.getRepository(Integration).insert(other);
      const { key } = await server.server.app.get(ApiKeyService).create(other.id);

      const asOther = await server.request('GET', `/api/v1/payments/${created.body.id}`, {
        apiKey: key,
      });
      expect(asOther.status).toBe(404);
      expect(asOther.body.code).toBe('not_found');
      const list = await server.request('GET', '/api/v1/payments', { apiKey: key });
      expect(list.body.data.map((p: { id: string }) => p.id)).not.toContain(created.body.id);
      const refund = await server.request('POST', `/api/v1/payments/${created.body.id}/refunds`, {
        apiKey: key,
        body: {},
      });
      expect(refund.status).toBe(404);
    });
  });

  describe('the test provider flow', () => {
    it('goes pending → paid through a signed webhook over HTTP, and a duplicate changes nothing', async () => {
      const created = await create();
      const checkoutPage = await fetch(created.body.checkoutUrl);
      expect(checkoutPage.status).toBe(200);
      const html = await checkoutPage.text();
      for (const outcome of ['paid', 'authorized', 'failed', 'canceled', 'expired']) {
        expect(html).toContain(`value="${outcome}"`);
      }

      const response = await submitCheckout(created.body.checkoutUrl, {
        outcome: 'paid',
        duplicate: 'true',
      });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('https://shop.example/return');
      const payment = await getPayment(created.body.id);
      expect(payment.status).toBe('paid');
      expect(payment.amountCaptured).toBe(1050);

      const deliveries = await server.dataSource.query(
        `SELECT status FROM webhook_deliveries WHERE ${server.dataSource.driver.escape('providerAccountId')} = 'test'`,
      );
      expect(deliveries.length).toBeGreaterThan(0);
      const events = (await server.request('GET', `/api/v1/payments/${created.body.id}/events`))
        .body.data;
      expect(events.filter((e: any) => e.toStatus === 'paid')).toHaveLength(1);
      expect(
        events.map((e: any) => [e.type, e.fromStatus, e.toStatus, e.source, e.ignored]),
      ).toEqual([
        ['payment.created', null, 'pending', 'api', false],
        ['payment.status_changed', 'pending', 'paid', 'webhook', false],
      ]);
    });

    it('records a late pending after paid as ignored and keeps the payment paid', async () => {
      const payment = await paidPayment();
      const late = await server.request(
        'POST',
        `/test-provider/payments/${payment.provider.paymentId}/webhooks`,
        { body: { status: 'pending' }, apiKey: null },
      );
      expect(late.status).toBe(200);
      expect(late.body.deliveries).toEqual([200]);
      expect((await getPayment(payment.id)).status).toBe('paid');
      const events = (await server.request('GET', `/api/v1/payments/${payment.id}/events`)).body
        .data;
      expect(events[events.length - 1]).toMatchObject({
        fromStatus: 'paid',
        toStatus: 'pending',
        source: 'webhook',
        ignored: true,
      });
    });

    it('rejects a webhook with a bad signature with 401 and changes nothing', async () => {
      const created = await create();
      const body = paidWebhookBody('tpevt_forged', created.body.provider.paymentId, 1050);
      const forged = await fetch(`${server.baseUrl}/webhooks/test/test`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'test-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'ab'.repeat(32)}`,
        },
        body,
      });
      expect(forged.status).toBe(401);
      expect(((await forged.json()) as { code: string }).code).toBe('invalid_signature');
      const unsigned = await fetch(`${server.baseUrl}/webhooks/test/test`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(unsigned.status).toBe(401);
      expect((await getPayment(created.body.id)).status).toBe('pending');
    });

    it('does not believe a signed captured amount beyond the payment: refunds stay within it', async () => {
      const created = await create();
      const body = paidWebhookBody('tpevt_overcaptured', created.body.provider.paymentId, 999_999);
      const signed = await fetch(`${server.baseUrl}/webhooks/test/test`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'test-signature': server.server.app.get(TestWebhookSigner).sign('test', body),
        },
        body,
      });
      expect(signed.status).toBe(200);
      const payment = await getPayment(created.body.id);
      expect(payment).toMatchObject({ status: 'paid', amountCaptured: 1050 });
      const refund = await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
        body: { amount: { value: 5000, currency: 'EUR' } },
      });
      expect(refund.status).toBe(422);
      expect(refund.body.code).toBe('refund_exceeds_available');
    });

    it('answers 404 problem+json for the checkout page and the submit of a payment the test provider does not know', async () => {
      const checkoutUrl = `${server.baseUrl}/test-provider/checkout/tp_nope`;
      const page = await fetch(checkoutUrl);
      expect(page.status).toBe(404);
      expect(page.headers.get('content-type')).toContain('application/problem+json');
      expect(await page.json()).toMatchObject({ status: 404, code: 'not_found' });
      const submitted = await submitCheckout(checkoutUrl, { outcome: 'paid' });
      expect(submitted.status).toBe(404);
      expect(submitted.headers.get('content-type')).toContain('application/problem+json');
      expect((await submitted.json()).code).toBe('not_found');
    });

    it('answers 404 for a webhook to an unknown account', async () => {
      const response = await fetch(`${server.baseUrl}/webhooks/test/pa_unknown`, {
        method: 'POST',
        body: '{}',
      });
      expect(response.status).toBe(404);
    });

    it.each([
      ['failed', 'failed', 'https://shop.example/return'],
      ['canceled', 'canceled', 'https://shop.example/cancel'],
      ['expired', 'expired', 'https://shop.example/return'],
      ['authorized', 'authorized', 'https://shop.example/return'],
    ])('outcome %s leads to status %s and back to the shop', async (outcome, status, location) => {
      const created = await create();
      const response = await submitCheckout(created.body.checkoutUrl, { outcome });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(location);
      expect((await getPayment(created.body.id)).status).toBe(status);
    });

    it('simulates an asynchronous pending phase: pending first, the outcome later', async () => {
      const created = await create();
      const response = await submitCheckout(created.body.checkoutUrl, {
        outcome: 'paid',
        pendingFirst: 'true',
        delayMs: '300',
      });
      expect(response.status).toBe(303);
      expect((await getPayment(created.body.id)).status).toBe('pending');
      await eventually(async () => (await getPayment(created.body.id)).status === 'paid');
    });

    it('fails the payment when the account declines, and does not retry elsewhere', async () => {
      await addAccount('pa_declining', { failureMode: 'decline' });
      const response = await create({ providerAccountId: 'pa_declining' });
      expect(response.status).toBe(201);
      expect(response.body.status).toBe('failed');
      expect(response.body.failure.code).toBe('declined');
      expect(response.body.routing.attempts).toEqual([
        {
          providerAccountId: 'pa_declining',
          outcome: 'declined',
          error: expect.stringContaining('declined'),
        },
      ]);
    });

    it('fails the payment with a retryable code when the account is unavailable', async () => {
      await addAccount('pa_down', { failureMode: 'unavailable' });
      const response = await create({ providerAccountId: 'pa_down' });
      expect(response.status).toBe(201);
      expect(response.body.status).toBe('failed');
      expect(response.body.failure.code).toBe('provider_unavailable');
      const attempts = await server.dataSource.query(
        `SELECT * FROM payment_attempts WHERE ${server.dataSource.driver.escape('paymentId')} = '${response.body.id}'`,
      );
      expect(attempts).toHaveLength(1);
    });
  });

  describe('capture and cancel', () => {
    async function authorized(captureMode = 'manual') {
      const created = await create({ captureMode });
      await submitCheckout(created.body.checkoutUrl, { outcome: 'authorized' });
      const payment = await getPayment(created.body.id);
      expect(payment.status).toBe('authorized');
      return payment;
    }

    it('captures an authorized payment in full', async () => {
      const payment = await authorized();
      const response = await server.request('POST', `/api/v1/payments/${payment.id}/capture`, {
        body: {},
      });
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('paid');
      expect(response.body.amountCaptured).toBe(1050);
    });

    it('captures part of an authorized payment', async () => {
      const payment = await authorized();
      const response = await server.request('POST', `/api/v1/payments/${payment.id}/capture`, {
        body: { amount: { value: 500, currency: 'EUR' } },
      });
      expect(response.status).toBe(200);
      expect(response.body.amountCaptured).toBe(500);
    });

    it('refuses to capture more than authorized, or in another currency', async () => {
      const payment = await authorized();
      const tooMuch = await server.request('POST', `/api/v1/payments/${payment.id}/capture`, {
        body: { amount: { value: 5000, currency: 'EUR' } },
      });
      expect(tooMuch.status).toBe(400);
      expect(tooMuch.body.errors[0].field).toBe('amount.value');
      const otherCurrency = await server.request('POST', `/api/v1/payments/${payment.id}/capture`, {
        body: { amount: { value: 500, currency: 'USD' } },
      });
      expect(otherCurrency.status).toBe(400);
      expect(otherCurrency.body.errors[0].field).toBe('amount.currency');
    });

    it('refuses to capture a pending payment (409 invalid_payment_state)', async () => {
      const created = await create();
      const response = await server.request('POST', `/api/v1/payments/${created.body.id}/capture`, {
        body: {},
      });
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('invalid_payment_state');
    });

    it('cancels a pending and an authorized payment, but not a paid one', async () => {
      const pending = await create();
      const canceled = await server.request('POST', `/api/v1/payments/${pending.body.id}/cancel`);
      expect(canceled.status).toBe(200);
      expect(canceled.body.status).toBe('canceled');

      const auth = await authorized();
      expect((await server.request('POST', `/api/v1/payments/${auth.id}/cancel`)).body.status).toBe(
        'canceled',
      );

      const paid = await paidPayment();
      const refused = await server.request('POST', `/api/v1/payments/${paid.id}/cancel`);
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('invalid_payment_state');
    });

    it('is 404 for an unknown payment', async () => {
      expect(
        (await server.request('POST', '/api/v1/payments/pay_unknown/capture', { body: {} })).status,
      ).toBe(404);
      expect((await server.request('POST', '/api/v1/payments/pay_unknown/cancel')).status).toBe(
        404,
      );
      expect((await server.request('GET', '/api/v1/payments/pay_unknown')).status).toBe(404);
    });
  });

  describe('refunds', () => {
    it('refunds partially, then the rest, and the payment follows', async () => {
      const payment = await paidPayment(1000);
      const first = await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
        body: { amount: { value: 300, currency: 'EUR' }, reason: 'damaged' },
      });
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({
        id: expect.stringMatching(/^re_/),
        paymentId: payment.id,
        amount: { value: 300, currency: 'EUR' },
        status: 'succeeded',
        reason: 'damaged',
      });
      let after = await getPayment(payment.id);
      expect(after.status).toBe('partially_refunded');
      expect(after.amountRefunded).toBe(300);

      const rest = await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
        body: {},
      });
      expect(rest.status).toBe(201);
      expect(rest.body.amount.value).toBe(700);
      after = await getPayment(payment.id);
      expect(after.status).toBe('refunded');
      expect(after.amountRefunded).toBe(1000);

      const list = await server.request('GET', `/api/v1/payments/${payment.id}/refunds`);
      expect(list.body.data.map((r: any) => r.amount.value)).toEqual([300, 700]);
    });

    it('refuses a refund above what is left (422 refund_exceeds_available)', async () => {
      const payment = await paidPayment(1000);
      const response = await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
        body: { amount: { value: 1001, currency: 'EUR' } },
      });
      expect(response.status).toBe(422);
      expect(response.body.code).toBe('refund_exceeds_available');
    });

    it('refuses to refund a payment that is not paid (409)', async () => {
      const created = await create();
      const response = await server.request('POST', `/api/v1/payments/${created.body.id}/refunds`, {
        body: {},
      });
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('invalid_payment_state');
      expect(response.body.detail).toMatch(/^A pending payment cannot be refunded/);
    });

    it('names the state with the right article: an authorized payment, an expired one', async () => {
      const authorized = await create({ captureMode: 'manual' });
      await submitCheckout(authorized.body.checkoutUrl, { outcome: 'authorized' });
      const refund = await server.request(
        'POST',
        `/api/v1/payments/${authorized.body.id}/refunds`,
        { body: {} },
      );
      expect(refund.status).toBe(409);
      expect(refund.body.detail).toMatch(/^An authorized payment cannot be refunded/);

      const expired = await create();
      await submitCheckout(expired.body.checkoutUrl, { outcome: 'expired' });
      const capture = await server.request('POST', `/api/v1/payments/${expired.body.id}/capture`, {
        body: {},
      });
      expect(capture.status).toBe(409);
      expect(capture.body.detail).toMatch(/^An expired payment cannot be captured/);
      const cancel = await server.request('POST', `/api/v1/payments/${expired.body.id}/cancel`);
      expect(cancel.status).toBe(409);
      expect(cancel.body.detail).toMatch(/^An expired payment cannot be canceled/);
    });

    it('answers 404 for a payment id we never issue, before the Idempotency-Key is stored', async () => {
      const key = `impossible-${randomBytes(4).toString('hex')}`;
      const impossible = [`pay_${'x'.repeat(120)}`, 'pay_has-dashes_and_more00000', 'pa_short'];
      for (const id of impossible) {
        for (const [operation, body] of [
          ['refunds', {}],
          ['capture', {}],
          ['cancel', undefined],
        ] as const) {
          const response = await server.request('POST', `/api/v1/payments/${id}/${operation}`, {
            body,
            headers: { 'idempotency-key': key },
          });
          expect({ id, operation, status: response.status, code: response.body.code }).toEqual({
            id,
            operation,
            status: 404,
            code: 'not_found',
          });
        }
      }
      const q = server.dataSource.driver.escape.bind(server.dataSource.driver);
      const stored = await server.dataSource.query(
        `SELECT COUNT(*) AS n FROM idempotency_records WHERE ${q('keyDigest')} = '${createHash('sha256').update(key).digest('hex')}'`,
      );
      expect(Number(stored[0].n)).toBe(0);
    });

    it('never refunds more than captured under 10 concurrent refunds', async () => {
      const payment = await paidPayment(1050);
      const responses = await Promise.all(
        Array.from({ length: 10 }, () =>
          server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
            body: { amount: { value: 200, currency: 'EUR' } },
          }),
        ),
      );
      const succeeded = responses.filter((r) => r.status === 201);
      const refused = responses.filter((r) => r.status === 422);
      expect(succeeded).toHaveLength(5);
      expect(refused).toHaveLength(5);
      refused.forEach((r) => expect(r.body.code).toBe('refund_exceeds_available'));
      const after = await getPayment(payment.id);
      expect(after.amountRefunded).toBe(1000);
      expect(after.status).toBe('partially_refunded');
    });

    it('replays a refund with the same Idempotency-Key instead of refunding twice', async () => {
      const payment = await paidPayment(1000);
      const headers = { 'idempotency-key': `refund-${randomBytes(4).toString('hex')}` };
      const first = await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
        body: { amount: { value: 100, currency: 'EUR' } },
        headers,
      });
      const second = await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
        body: { amount: { value: 100, currency: 'EUR' } },
        headers,
      });
      expect(second.status).toBe(201);
      expect(second.body).toEqual(first.body);
      expect((await getPayment(payment.id)).amountRefunded).toBe(100);
    });
  });

  describe('idempotency', () => {
    it('replays the stored response for the same key and body', async () => {
      const headers = { 'idempotency-key': `key-${randomBytes(4).toString('hex')}` };
      const body = paymentBody();
      const first = await server.request('POST', '/api/v1/payments', { body, headers });
      const second = await server.request('POST', '/api/v1/payments', { body, headers });
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.body).toEqual(first.body);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
    });

    it('refuses the same key with another body (422 idempotency_key_reused)', async () => {
      const headers = { 'idempotency-key': `key-${randomBytes(4).toString('hex')}` };
      await server.request('POST', '/api/v1/payments', { body: paymentBody(), headers });
      const response = await server.request('POST', '/api/v1/payments', {
        body: paymentBody({ description: 'another' }),
        headers,
      });
      expect(response.status).toBe(422);
      expect(response.body.code).toBe('idempotency_key_reused');
    });

    it('refuses an over-long key with 400', async () => {
      const response = await server.request('POST', '/api/v1/payments', {
        body: paymentBody(),
        headers: { 'idempotency-key': 'k'.repeat(256) },
      });
      expect(response.status).toBe(400);
      expect(response.body.errors[0].field).toBe('Idempotency-Key');
    });

    it('creates one payment and calls the provider once for 20 concurrent requests with one key', async () => {
      const reference = `concurrent-${randomBytes(4).toString('hex')}`;
      const body = paymentBody({ reference, description: `Order ${reference}` });
      const headers = { 'idempotency-key': `key-${reference}` };
      const responses = await Promise.all(
        Array.from({ length: 20 }, () =>
          server.request('POST', '/api/v1/payments', { body, headers }),
        ),
      );
      const created = responses.filter((r) => r.status === 201);
      const inFlight = responses.filter((r) => r.status === 409);
      expect(created.length + inFlight.length).toBe(20);
      expect(created.length).toBeGreaterThanOrEqual(1);
      inFlight.forEach((r) => expect(r.body.code).toBe('idempotency_key_in_use'));
      expect(new Set(created.map((r) => r.body.id)).size).toBe(1);

      const list = await server.request('GET', `/api/v1/payments?reference=${reference}`);
      expect(list.body.data).toHaveLength(1);
      const q = server.dataSource.driver.escape.bind(server.dataSource.driver);
      // The test provider keeps its own record per payment it was asked to create.
      const providerCalls = await server.dataSource.query(
        `SELECT COUNT(*) AS n FROM test_provider_payments WHERE ${q('description')} = '${body.description}'`,
      );
      expect(Number(providerCalls[0].n)).toBe(1);
      const attempts = await server.dataSource.query(
        `SELECT COUNT(*) AS n FROM payment_attempts WHERE ${q('paymentId')} = '${list.body.data[0].id}'`,
      );
      expect(Number(attempts[0].n)).toBe(1);
    });
  });

  describe('listing', () => {
    it('lists newest first, filters, and pages with a cursor', async () => {
      const reference = `list-${randomBytes(4).toString('hex')}`;
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await create({ reference })).body.id);
      const page1 = await server.request('GET', `/api/v1/payments?reference=${reference}&limit=2`);
      expect(page1.status).toBe(200);
      expect(page1.body.data.map((p: any) => p.id)).toEqual([ids[4], ids[3]]);
      expect(page1.body.nextCursor).toEqual(expect.any(String));
      const page2 = await server.request(
        'GET',
        `/api/v1/payments?reference=${reference}&limit=2&cursor=${page1.body.nextCursor}`,
      );
      expect(page2.body.data.map((p: any) => p.id)).toEqual([ids[2], ids[1]]);
      const page3 = await server.request(
        'GET',
        `/api/v1/payments?reference=${reference}&limit=2&cursor=${page2.body.nextCursor}`,
      );
      expect(page3.body.data.map((p: any) => p.id)).toEqual([ids[0]]);
      expect(page3.body.nextCursor).toBeNull();

      await submitCheckout((await getPayment(ids[2])).checkoutUrl, { outcome: 'paid' });
      const paid = await server.request(
        'GET',
        `/api/v1/payments?reference=${reference}&status=paid`,
      );
      expect(paid.body.data.map((p: any) => p.id)).toEqual([ids[2]]);

      const future = new Date(Date.now() + 60_000).toISOString();
      expect(
        (
          await server.request(
            'GET',
            `/api/v1/payments?reference=${reference}&createdFrom=${future}`,
          )
        ).body.data,
      ).toEqual([]);
      expect(
        (await server.request('GET', `/api/v1/payments?reference=${reference}&createdTo=${future}`))
          .body.data,
      ).toHaveLength(5);
    });

    it('refuses a limit above 100 and a forged cursor with 400', async () => {
      const limit = await server.request('GET', '/api/v1/payments?limit=101');
      expect(limit.status).toBe(400);
      expect(limit.body.errors[0].field).toBe('limit');
      const cursor = await server.request('GET', '/api/v1/payments?cursor=nonsense');
      expect(cursor.status).toBe(400);
      expect(cursor.body.errors[0].field).toBe('cursor');
    });
  });

  describe('the outbox', () => {
    it('writes one outbox row per status change, carrying the payment as it was', async () => {
      const payment = await paidPayment(1000);
      await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
        body: { amount: { value: 1000, currency: 'EUR' } },
      });
      const q = server.dataSource.driver.escape.bind(server.dataSource.driver);
      const rows = await server.dataSource.query(
        `SELECT ${q('type')}, ${q('payload')}, ${q('sequence')} FROM outbox_events WHERE ${q('paymentId')} = '${payment.id}' ORDER BY ${q('sequence')}`,
      );
      const events = rows.map((row: any) => JSON.parse(row.payload));
      expect(
        events.map((e: any) => [e.type, e.data.previousStatus, e.data.payment.status]),
      ).toEqual([
        ['payment.status_changed', 'pending', 'paid'],
        ['refund.status_changed', 'pending', 'paid'],
        ['payment.status_changed', 'paid', 'refunded'],
      ]);
      expect(events[0].id).toMatch(/^evt_/);
      expect(events[1].data.refund).toMatchObject({
        status: 'succeeded',
        amount: { value: 1000, currency: 'EUR' },
      });
    });
  });
});
