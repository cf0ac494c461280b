import { ReconciliationService } from '../../src/reconciliation/reconciliation.service';
import { eventually, paymentBody, TestServer } from '../support/test-server';
import { ConnectorHarness, useConnectorSuite } from '../simulators/connector-e2e-support';
import { parseStripeForm, StripeSimulator } from '../simulators/stripe/stripe.simulator';
import { ADDRESS, LINES, ORDER_AMOUNT } from '../support/order-fixtures';

/** The event types the Stripe webhook endpoint must be subscribed to. */
const STRIPE_EVENTS = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
  'payment_intent.succeeded',
  'payment_intent.canceled',
  'refund.created',
  'refund.updated',
  'refund.failed',
  'charge.dispute.created',
  'charge.dispute.funds_withdrawn',
  'charge.dispute.closed',
];

describe('Stripe connector against the Stripe simulator (sqlite)', () => {
  let server: TestServer;
  let stripe: StripeSimulator;
  let h: ConnectorHarness;
  let accountId: string;
  let webhookUrl: string;
  const webhookSecret = 'whsec_simulatorsecret0123456789';

  const suite = useConnectorSuite({
    simulator: () => new StripeSimulator(),
    account: (sim) => ({
      provider: 'stripe',
      credentials: { secretKey: sim.secretKey, webhookSecret },
      baseUrl: sim.url,
      settings: { requestTimeoutMs: 1000 },
    }),
  });
  beforeAll(() => {
    ({ server, sim: stripe, h, accountId, webhookUrl } = suite);
    // Subscribed to the events docs/connectors.md lists for Stripe, and no others.
    stripe.endpoint = { url: webhookUrl, secret: webhookSecret, events: STRIPE_EVENTS };
  });

  beforeEach(() => {
    stripe.dropWebhooks = false;
  });

  async function paid(overrides: Record<string, unknown> = {}) {
    const payment = await h.createPayment(accountId, overrides);
    await h.checkout(payment.checkoutUrl, 'paid');
    return h.waitForStatus(payment.id, overrides.captureMode === 'manual' ? 'authorized' : 'paid');
  }

  it('validates both credentials, naming the fields', async () => {
    const response = await h.createAccount({
      provider: 'stripe',
      credentials: { secretKey: 'pk_test_abcdefghijkl', webhookSecret: 'nope' },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: any) => e.field).sort()).toEqual([
      'credentials.secretKey',
      'credentials.webhookSecret',
    ]);
  });

  it('creates a Checkout Session, form-encoded with integer minor units, and returns its hosted URL', async () => {
    const payment = await h.createPayment(accountId, {
      amount: { value: 1050, currency: 'EUR' },
      method: 'ideal',
      customer: { email: 'a@example.com', locale: 'nl-NL' },
    });
    expect(payment.provider).toMatchObject({
      name: 'stripe',
      paymentId: expect.stringMatching(/^cs_test_/),
    });
    const session = stripe.sessions.get(payment.provider.paymentId)!;
    expect(session).toMatchObject({
      amount_total: 1050,
      currency: 'eur',
      client_reference_id: payment.id,
      success_url: payment.returnUrl,
      cancel_url: payment.cancelUrl,
      allowed_payment_method_types: ['ideal'],
    });
    // API version 2026-10-28 has no payment_method_types on session create.
    const form = new URLSearchParams(
      stripe.callsTo('POST', /^\/v1\/checkout\/sessions$/).slice(-1)[0].body,
    );
    expect(form.getAll('allowed_payment_method_types[0]')).toEqual(['ideal']);
    expect(form.get('locale')).toBe('nl');
    expect([...form.keys()].filter((k) => k.startsWith('payment_method_types'))).toEqual([]);
    expect(payment.checkoutUrl).toBe(session.url);
    expect(parseStripeForm('a[b][0][c]=1&a[b][0][d]=x')).toEqual({
      a: { b: { 0: { c: '1', d: 'x' } } },
    });
  });

  it.each([
    ['pt-BR', 'pt-BR'],
    ['no-NO', 'nb'],
    ['ko-KR', 'ko'],
  ])("a customer's locale %s is Checkout's %s", async (ours, locale) => {
    const payment = await h.createPayment(accountId, { customer: { locale: ours } });
    expect(payment.status).toBe('pending');
    const [create] = stripe.callsTo('POST', /^\/v1\/checkout\/sessions$/).slice(-1);
    expect(new URLSearchParams(create.body).get('locale')).toBe(locale);
  });

  it('sends order lines as line_items[][price_data], discounts as a one-use coupon, metadata and expires_at', async () => {
    const expiresAt = new Date(Date.now() + 3 * 3600_000);
    const payment = await h.createPayment(accountId, {
      amount: ORDER_AMOUNT,
      lines: LINES,
      billingAddress: ADDRESS,
      metadata: { orderId: '1042' },
      expiresAt: expiresAt.toISOString(),
    });
    expect(payment.status).toBe('pending');
    const [create] = stripe.callsTo('POST', /^\/v1\/checkout\/sessions$/).slice(-1);
    const form = new URLSearchParams(create.body);
    expect(form.get('line_items[0][price_data][unit_amount]')).toBe('1000');
    expect(form.get('line_items[0][quantity]')).toBe('2');
    expect(form.get('line_items[0][price_data][currency]')).toBe('eur');
    expect(form.get('line_items[0][price_data][product_data][name]')).toBe(LINES[0].name);
    expect(form.get('line_items[0][price_data][product_data][metadata][sku]')).toBe(
      '5702016116977',
    );
    expect(form.get('line_items[1][price_data][unit_amount]')).toBe('595');
    expect(form.has('line_items[2][quantity]')).toBe(false);
    expect(form.get('metadata[orderId]')).toBe('1042');
    expect(form.get('customer_email')).toBe(ADDRESS.email);
    expect(form.get('metadata[paymentserver_payment_id]')).toBe(payment.id);
    expect(form.get('expires_at')).toBe(String(Math.floor(expiresAt.getTime() / 1000)));
    const session = stripe.sessions.get(payment.provider.paymentId)!;
    expect(session.amount_total).toBe(2495);
    expect(session.lineItems).toEqual([
      { name: LINES[0].name, unit_amount: 1000, quantity: 2 },
      { name: 'Shipping', unit_amount: 595, quantity: 1 },
    ]);
    const couponId = form.get('discounts[0][coupon]')!;
    expect(stripe.coupons.get(couponId)).toMatchObject({
      amount_off: 100,
      currency: 'eur',
      duration: 'once',
      max_redemptions: 1,
      name: 'Welcome discount',
      times_redeemed: 1,
    });
    const [coupon] = stripe.callsTo('POST', /^\/v1\/coupons$/).slice(-1);
    expect(coupon.headers['idempotency-key']).toBe(`${payment.id}-coupon`);
  });

  it('leaves out shop metadata Stripe refuses (brackets, long keys or values, beyond 50 keys) and still creates the session', async () => {
    const metadata: Record<string, string> = {
      'a[b]': 'x',
      'c]': 'y',
      ['k'.repeat(41)]: 'z',
      long: 'v'.repeat(501),
    };
    for (let i = 0; i < 46; i++) metadata[`key${i}`] = `${i}`;
    const payment = await h.createPayment(accountId, { metadata });
    expect(payment).toMatchObject({ status: 'pending', metadata });
    const [create] = stripe.callsTo('POST', /^\/v1\/checkout\/sessions$/).slice(-1);
    const keys = [...new URLSearchParams(create.body).keys()].filter((k) =>
      k.startsWith('metadata['),
    );
    expect(keys.every((k) => /^metadata\[[^[\]]{1,40}\]$/.test(k))).toBe(true);
    const session = stripe.sessions.get(payment.provider.paymentId)!;
    expect(Object.keys(session.metadata).sort()).toEqual(
      [
        ...Array.from({ length: 46 }, (_, i) => `key${i}`),
        'paymentserver_payment_id',
        'reference',
      ].sort(),
    );
  });

  it('an expiresAt just 30 minutes ahead reaches Stripe at least 30 minutes after the session is created', async () => {
    // 300 ms to spare for the core's own check (at least 30 minutes ahead when it validates).
    const payment = await h.createPayment(accountId, {
      expiresAt: new Date(Date.now() + 1800_000 + 300).toISOString(),
    });
    const answered = Date.now();
    expect(payment.status).toBe('pending');
    const session = stripe.sessions.get(payment.provider.paymentId)!;
    expect(session.expires_at! * 1000).toBeGreaterThanOrEqual(answered + 1800_000);
    expect(session.expires_at! - session.created).toBeGreaterThanOrEqual(1800);
    expect(session.expires_at! - session.created).toBeLessThanOrEqual(1800 + 62);
  });

  it('a create whose answer was lost, sent again under the same Idempotency-Key, gets the same session', async () => {
    // A second account on the same Stripe account as the fallback: the create is sent again
    // with the same key (our payment id), more than a second later.
    const token = await server.adminToken();
    const fallback = await h.createAccount({
      provider: 'stripe',
      name: 'Stripe fallback',
      credentials: { secretKey: stripe.secretKey, webhookSecret },
      baseUrl: stripe.url,
      settings: { requestTimeoutMs: 1000 },
    });
    const rule = await server.request('POST', '/api/v1/admin/routing-rules', {
      token,
      body: {
        name: 'stripe with a fallback',
        priority: 1,
        conditions: { metadata: { route: 'stripe-retry' } },
        targets: [{ providerAccountId: accountId, weight: 1 }],
        fallback: [fallback.body.id],
      },
    });
    expect(rule.status).toBe(201);
    try {
      const sessions = stripe.sessions.size;
      const creates = /^\/v1\/checkout\/sessions$/;
      stripe.failNextCall('hang_after_work', { method: 'POST', path: creates });
      const response = await server.request('POST', '/api/v1/payments', {
        body: paymentBody({
          metadata: { route: 'stripe-retry' },
          // Near the window's start, where the connector moves the expiry.
          expiresAt: new Date(Date.now() + 1800_000 + 300).toISOString(),
        }),
      });
      expect(response.status).toBe(201);
      const payment = response.body;
      expect(payment).toMatchObject({
        status: 'pending',
        provider: { accountId: fallback.body.id },
      });
      expect(stripe.sessions.size).toBe(sessions + 1);
      const session = stripe.sessions.get(payment.provider.paymentId)!;
      expect(session.client_reference_id).toBe(payment.id);
      const sent = stripe.callsTo('POST', creates).slice(-2);
      expect(sent.map((c) => c.headers['idempotency-key'])).toEqual([payment.id, payment.id]);
      expect(sent[1].body).toBe(sent[0].body);
    } finally {
      await server.request('DELETE', `/api/v1/admin/routing-rules/${rule.body.id}`, { token });
    }
  });

  it("refuses an expiresAt beyond Checkout's 24 hours with 400 before calling Stripe", async () => {
    const before = stripe.calls.length;
    const response = await server.request('POST', '/api/v1/payments', {
      body: {
        amount: { value: 1000, currency: 'EUR' },
        description: 'x',
        reference: 'r-exp',
        returnUrl: 'https://shop.example/r',
        providerAccountId: accountId,
        expiresAt: new Date(Date.now() + 48 * 3600_000).toISOString(),
      },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { field: 'expiresAt', message: 'must be at most 24 hours ahead for stripe' },
    ]);
    expect(stripe.calls.length).toBe(before);
  });

  it('refuses what Stripe cannot do with 422 not_supported_by_provider', async () => {
    const response = await server.request('POST', '/api/v1/payments', {
      body: {
        amount: { value: 1000, currency: 'HUF' },
        description: 'x',
        reference: 'r-huf',
        returnUrl: 'https://shop.example/r',
        providerAccountId: accountId,
      },
    });
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('not_supported_by_provider');
  });

  it("refuses a payment below Stripe's minimum for its currency with 422 before calling Stripe", async () => {
    const before = stripe.calls.length;
    const response = await server.request('POST', '/api/v1/payments', {
      body: paymentBody({ amount: { value: 30, currency: 'EUR' }, providerAccountId: accountId }),
    });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      code: 'not_supported_by_provider',
      detail: 'stripe does not support EUR payments below 0.50',
    });
    expect(stripe.calls.length).toBe(before);
    // At the minimum, Stripe is asked.
    const atMinimum = await h.createPayment(accountId, { amount: { value: 50, currency: 'EUR' } });
    expect(stripe.sessions.get(atMinimum.provider.paymentId)!.amount_total).toBe(50);
  });

  it("routes a payment below Stripe's minimum to the fallback, calling no Stripe, and explains it", async () => {
    const admin = await server.adminToken();
    const adminCall = (path: string, body?: unknown) =>
      server.request('POST', path, { token: admin, body });
    const spare = (await h.createAccount({ provider: 'test', name: 'spare', credentials: {} })).body
      .id as string;
    const integration = (await adminCall('/api/v1/admin/integrations', { name: 'stripe first' }))
      .body;
    const key = (await adminCall(`/api/v1/admin/integrations/${integration.id}/api-keys`)).body
      .key as string;
    const rule = await adminCall('/api/v1/admin/routing-rules', {
      name: 'stripe, then spare',
      priority: 1,
      integrationId: integration.id,
      targets: [{ providerAccountId: accountId, weight: 1 }],
      fallback: [spare],
    });
    expect(rule.status).toBe(201);
    const pay = (value: number) =>
      server.request('POST', '/api/v1/payments', {
        apiKey: key,
        body: paymentBody({ amount: { value, currency: 'EUR' } }),
      });
    const why = 'stripe does not support EUR payments below 0.50';

    const before = stripe.calls.length;
    const small = await pay(30);
    expect(small.status).toBe(201);
    expect(small.body.provider.accountId).toBe(spare);
    expect(small.body.routing.attempts).toEqual([
      { providerAccountId: accountId, outcome: 'skipped', error: why },
      { providerAccountId: spare, outcome: 'succeeded' },
    ]);
    expect(stripe.calls.length).toBe(before);
    const simulated = await adminCall('/api/v1/admin/routing/simulate', {
      ...paymentBody({ amount: { value: 30, currency: 'EUR' } }),
      integrationId: integration.id,
    });
    expect(simulated.body).toMatchObject({
      providerAccountId: spare,
      candidates: [
        { providerAccountId: accountId, eligible: false, why },
        { providerAccountId: spare, eligible: true },
      ],
    });

    const enough = await pay(50);
    expect(enough.status).toBe(201);
    expect(enough.body.provider).toMatchObject({
      accountId,
      paymentId: expect.stringMatching(/^cs_test_/),
    });
  });

  it('paid: checkout.session.completed (signed) makes the payment paid', async () => {
    const payment = await paid();
    expect(payment.amountCaptured).toBe(1050);
    expect((await h.events(payment.id)).pop()).toMatchObject({
      fromStatus: 'pending',
      toStatus: 'paid',
      source: 'webhook',
    });
    expect(stripe.webhooks[stripe.webhooks.length - 1]).toMatchObject({
      status: 200,
      headers: expect.objectContaining({
        'stripe-signature': expect.stringMatching(/^t=\d+,v1=[0-9a-f]{64}/),
      }),
    });
  });

  it("methodUsed is the type of the PaymentIntent's PaymentMethod (expanded from the session)", async () => {
    const payment = await h.createPayment(accountId);
    expect(payment.methodUsed).toBeNull();
    expect(payment.provider.testMode).toBe(true);
    await h.checkout(payment.checkoutUrl, 'paid', { method: 'ideal' });
    const paid = await h.waitForStatus(payment.id, 'paid');
    expect(paid.methodUsed).toBe('ideal');
    const session = stripe.sessions.get(paid.provider.paymentId)!;
    const intent = stripe.intents.get(session.payment_intent!)!;
    expect(stripe.paymentMethods.get(intent.payment_method!)!.type).toBe('ideal');

    // A session limited to one type: the customer cannot choose another.
    const only = await h.createPayment(accountId, { method: 'bancontact' });
    const refused = await h.checkout(only.checkoutUrl, 'paid', { method: 'card' });
    expect(refused.status).toBe(400);
    await h.checkout(only.checkoutUrl, 'paid');
    expect((await h.waitForStatus(only.id, 'paid')).methodUsed).toBe('bancontact');
  });

  it('failed: a delayed payment that fails after completion (async_payment_failed)', async () => {
    const payment = await h.createPayment(accountId);
    await h.checkout(payment.checkoutUrl, 'failed');
    const failed = await h.waitForStatus(payment.id, 'failed');
    expect(failed.failure.message).toContain('declined');
    expect(stripe.events.slice(-2).map((e) => e.type)).toEqual([
      'checkout.session.completed',
      'checkout.session.async_payment_failed',
    ]);
  });

  it('a delayed payment method stays pending after completion and is paid on async_payment_succeeded', async () => {
    const payment = await h.createPayment(accountId);
    await h.checkout(payment.checkoutUrl, 'processing');
    expect((await h.payment(payment.id)).status).toBe('pending');
    await stripe.settleDelayed(payment.provider.paymentId);
    await h.waitForStatus(payment.id, 'paid');
  });

  it('a refund that Stripe later fails is failed here and frees its amount', async () => {
    const payment = await paid();
    stripe.failNextRefund = true;
    const refund = await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
      body: { amount: { value: 300, currency: 'EUR' } },
    });
    expect(refund.body.status).toBe('pending');
    await eventually(async () => (await h.refunds(payment.id))[0]?.status === 'failed');
    const after = await h.payment(payment.id);
    expect(after).toMatchObject({ status: 'paid', amountRefunded: 0 });
    const again = await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
      body: {},
    });
    expect(again.body.amount.value).toBe(1050);
  });

  it('expired: checkout.session.expired makes the payment expired', async () => {
    const payment = await h.createPayment(accountId);
    await h.checkout(payment.checkoutUrl, 'expired');
    await h.waitForStatus(payment.id, 'expired');
  });

  it('canceled: the customer goes back (Stripe changes nothing), the shop cancels and the session is expired at Stripe', async () => {
    const payment = await h.createPayment(accountId);
    const back = await h.checkout(payment.checkoutUrl, 'canceled');
    expect(back.headers.get('location')).toBe(payment.cancelUrl);
    expect((await h.payment(payment.id)).status).toBe('pending');
    const canceled = await server.request('POST', `/api/v1/payments/${payment.id}/cancel`);
    expect(canceled.body.status).toBe('canceled');
    expect(stripe.sessions.get(payment.provider.paymentId)!.status).toBe('expired');
    // Stripe's checkout.session.expired that follows cannot move a canceled payment.
    await eventually(async () =>
      stripe.webhooks.some(
        (w) =>
          w.status === 200 &&
          w.body.includes('checkout.session.expired') &&
          w.body.includes(payment.provider.paymentId),
      ),
    );
    expect((await h.payment(payment.id)).status).toBe('canceled');
    expect((await h.events(payment.id)).pop()).toMatchObject({
      toStatus: 'expired',
      source: 'webhook',
      ignored: true,
    });
  });

  it('manual capture: requires_capture is authorized; a partial capture of the PaymentIntent makes it paid', async () => {
    const payment = await paid({ captureMode: 'manual', method: 'card' });
    const session = stripe.sessions.get(payment.provider.paymentId)!;
    expect(stripe.intents.get(session.payment_intent!)!.capture_method).toBe('manual');
    const captured = await server.request('POST', `/api/v1/payments/${payment.id}/capture`, {
      body: { amount: { value: 700, currency: 'EUR' } },
    });
    expect(captured.status).toBe(200);
    expect(captured.body).toMatchObject({ status: 'paid', amountCaptured: 700 });
    expect(stripe.intents.get(session.payment_intent!)).toMatchObject({
      status: 'succeeded',
      amount_received: 700,
    });
  });

  it('cancels an authorized PaymentIntent', async () => {
    const payment = await paid({ captureMode: 'manual' });
    const canceled = await server.request('POST', `/api/v1/payments/${payment.id}/cancel`);
    expect(canceled.body.status).toBe('canceled');
    const intentId = stripe.sessions.get(payment.provider.paymentId)!.payment_intent!;
    expect(stripe.intents.get(intentId)!.status).toBe('canceled');
  });

  describe('cancel where Stripe allows it only by expiring the session (PaymentIntents.d.ts, cancel)', () => {
    /** A payment Stripe has moved on while its webhooks were lost: still pending here. */
    async function movedOnAtStripe(outcome: 'expired' | 'failed' | 'processing') {
      const payment = await h.createPayment(accountId);
      stripe.dropWebhooks = true;
      await h.checkout(payment.checkoutUrl, outcome);
      stripe.dropWebhooks = false;
      expect((await h.payment(payment.id)).status).toBe('pending');
      return payment;
    }
    const sessionPosts = (payment: any) => {
      const session = stripe.sessions.get(payment.provider.paymentId)!;
      const ids = [session.id, session.payment_intent].filter(Boolean).join('|');
      return stripe.callsTo('POST', new RegExp(`/(${ids})/(expire|cancel)$`));
    };

    it('a session that expired at Stripe is canceled here, with no call Stripe would refuse', async () => {
      const payment = await movedOnAtStripe('expired');
      const canceled = await server.request('POST', `/api/v1/payments/${payment.id}/cancel`);
      expect(canceled).toMatchObject({ status: 200, body: { status: 'canceled' } });
      expect(sessionPosts(payment)).toEqual([]);
    });

    it.each([
      ['failed', 'requires_payment_method'],
      ['processing', 'processing'],
    ] as const)(
      'a completed session whose PaymentIntent is %s (%s) is refused, naming the status, without calling /cancel; the operation is not left open',
      async (outcome, status) => {
        const payment = await movedOnAtStripe(outcome);
        const intentId = stripe.sessions.get(payment.provider.paymentId)!.payment_intent!;
        expect(stripe.intents.get(intentId)!.status).toBe(status);
        const refused = await server.request('POST', `/api/v1/payments/${payment.id}/cancel`);
        expect(refused.status).toBe(422);
        expect(refused.body).toMatchObject({ code: 'provider_invalid_request' });
        expect(refused.body.detail).toContain(`it is ${status}`);
        expect(sessionPosts(payment)).toEqual([]);
        expect(stripe.intents.get(intentId)!.status).toBe(status);
        expect(await h.payment(payment.id)).toMatchObject({
          status: 'pending',
          pendingOperation: null,
        });
      },
    );
  });

  it('partial then full refund through /v1/refunds, settled by refund.updated', async () => {
    const payment = await paid();
    const first = await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
      body: { amount: { value: 250, currency: 'EUR' } },
    });
    expect(first.status).toBe(201);
    await h.waitForStatus(payment.id, 'partially_refunded');
    await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, { body: {} });
    const refunded = await h.waitForStatus(payment.id, 'refunded');
    expect(refunded.amountRefunded).toBe(1050);
    const atStripe = [...stripe.refunds.values()].filter(
      (r) => r.metadata.checkout_session_id === payment.provider.paymentId,
    );
    expect(atStripe.map((r) => r.amount)).toEqual([250, 800]);
    expect(atStripe[0].metadata.paymentserver_refund_id).toBe(first.body.id);
    expect((await h.refunds(payment.id)).map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
  });

  it("a refund made in Stripe's dashboard (refund.created, no refund.updated) is recorded once", async () => {
    const payment = await paid();
    const made = stripe.refundInDashboard(payment.provider.paymentId, 300);
    const after = await h.waitForStatus(payment.id, 'partially_refunded');
    expect(after.amountRefunded).toBe(300);
    expect(await h.refunds(payment.id)).toEqual([
      expect.objectContaining({
        status: 'succeeded',
        amount: { value: 300, currency: 'EUR' },
        reason: 'refunded at the provider',
      }),
    ]);
    const created = stripe.webhooks.findIndex(
      (w) => w.body.includes(made.id) && w.body.includes('"refund.created"'),
    );
    expect(await stripe.redeliver(created)).toBe(200);
    expect(await h.refunds(payment.id)).toHaveLength(1);
    expect((await h.payment(payment.id)).amountRefunded).toBe(300);
    expect(stripe.events.map((e) => e.type)).toContain('charge.refunded');
  });

  it('a webhook with a bad Stripe-Signature is 401, changes nothing and costs no Stripe call', async () => {
    const payment = await h.createPayment(accountId);
    const calls = stripe.calls.length;
    const body = JSON.stringify({
      id: 'evt_forged',
      object: 'event',
      type: 'checkout.session.completed',
      data: { object: { id: payment.provider.paymentId, object: 'checkout.session' } },
    });
    const response = await fetch(webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`,
      },
      body,
    });
    expect(response.status).toBe(401);
    await h.webhooksSettled();
    expect(stripe.calls.length).toBe(calls);
    expect((await h.payment(payment.id)).status).toBe('pending');
    expect((await h.events(payment.id)).some((e) => e.source === 'webhook')).toBe(false);
  });

  it('the same event delivered twice changes the status once', async () => {
    const payment = await paid();
    const index = stripe.webhooks.findIndex(
      (w) =>
        w.body.includes(payment.provider.paymentId) &&
        w.body.includes('checkout.session.completed'),
    );
    expect(await stripe.redeliver(index)).toBe(200);
    expect(
      (await h.events(payment.id)).filter((e) => e.type === 'payment.status_changed'),
    ).toHaveLength(1);
  });

  it('a Stripe timeout surfaces as a retryable timeout error', async () => {
    stripe.failNextCall('hang');
    const payment = await h.createPayment(accountId);
    expect(payment.failure.code).toBe('timeout');
    expect(await h.attempts(payment.id)).toEqual([
      expect.objectContaining({ errorCode: 'timeout', retryable: true }),
    ]);
  });

  it('a refused secret key is a final invalid_credentials, scrubbed', async () => {
    const other = (
      await h.createAccount({
        provider: 'stripe',
        credentials: { secretKey: 'sk_test_wrongwrongwrong', webhookSecret },
        baseUrl: stripe.url,
      })
    ).body;
    const payment = await h.createPayment(other.id);
    const [attempt] = await h.attempts(payment.id);
    expect(attempt).toMatchObject({ errorCode: 'invalid_credentials', retryable: false });
    expect(attempt.errorMessage).toContain('invalid_request_error');
  });

  it('a formal dispute (funds withdrawn) makes the payment charged_back, once', async () => {
    const payment = await paid();
    await stripe.dispute(payment.provider.paymentId, 'formal');
    await h.waitForStatus(payment.id, 'charged_back');
    const changes = (await h.events(payment.id)).filter(
      (e) => e.type === 'payment.status_changed' && !e.ignored,
    );
    expect(changes.pop()).toMatchObject({
      fromStatus: 'paid',
      toStatus: 'charged_back',
      source: 'webhook',
    });
    expect(changes.some((e) => e.toStatus === 'charged_back')).toBe(false);
  });

  it('a won dispute (charge.dispute.closed, won): the payment stays charged_back, the reversal is in its history (ignored), an operator is told once', async () => {
    const payment = await paid();
    await stripe.dispute(payment.provider.paymentId, 'formal');
    await h.waitForStatus(payment.id, 'charged_back');
    expect((await h.adminPayment(payment.id)).needsAttention).toBeNull();
    const told = (await h.outbox(payment.id, 'payment.status_changed')).length;
    const calls = stripe.calls.length;

    await stripe.closeDispute(payment.provider.paymentId, 'won');
    const closed = stripe.lastWebhookOf('charge.dispute.closed')!;
    expect(closed).toMatchObject({ status: 200 });
    expect(JSON.parse(closed.body).data.object).toMatchObject({ object: 'dispute', status: 'won' });
    expect((await h.payment(payment.id)).status).toBe('charged_back');
    const events = await h.events(payment.id);
    expect(events.at(-1)).toMatchObject({
      type: 'payment.status_changed',
      fromStatus: 'charged_back',
      toStatus: 'charged_back',
      source: 'webhook',
      ignored: true,
      detail: 'provider status charge.dispute.closed:won',
    });
    expect(await h.outbox(payment.id, 'payment.status_changed')).toHaveLength(told);
    expect(stripe.calls).toHaveLength(calls);
    const flagged = (await h.adminPayment(payment.id)).needsAttention;
    expect(flagged).toMatchObject({
      reason:
        'stripe reported the chargeback was reversed (the dispute was won): the money came back to the merchant; the payment stays charged_back here, reconcile it in your books',
      operations: [{ type: 'contradiction', id: payment.id, stage: 'reported' }],
    });

    // Stripe retries the same event: nothing is added.
    expect(await stripe.redeliver(stripe.webhooks.indexOf(closed))).toBe(200);
    await h.webhooksSettled();
    expect(await h.events(payment.id)).toHaveLength(events.length);
    expect((await h.adminPayment(payment.id)).needsAttention).toEqual(flagged);
    expect((await h.payment(payment.id)).status).toBe('charged_back');
  });

  it('an inquiry (warning_needs_response) moves no money: the payment stays paid and can be refunded', async () => {
    const payment = await paid();
    await stripe.dispute(payment.provider.paymentId, 'inquiry');
    expect(stripe.lastWebhookOf('charge.dispute.created')).toMatchObject({ status: 200 });
    expect(await h.payment(payment.id)).toMatchObject({ status: 'paid', amountRefunded: 0 });
    expect((await h.events(payment.id)).some((e) => e.toStatus === 'charged_back')).toBe(false);

    // What Stripe recommends to settle an inquiry: refund the payment in full.
    const refund = await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
      body: {},
    });
    expect(refund.status).toBe(201);
    await h.waitForStatus(payment.id, 'refunded');
  });

  it('a prevented dispute (status prevented, no funds withdrawn) is no chargeback: the payment stays paid', async () => {
    const payment = await paid();
    const before = (await h.events(payment.id)).length;
    await stripe.dispute(payment.provider.paymentId, 'prevented');
    const created = stripe.lastWebhookOf('charge.dispute.created')!;
    expect(created).toMatchObject({ status: 200 });
    expect(JSON.parse(created.body).data.object).toMatchObject({
      status: 'prevented',
      payment_intent: stripe.sessions.get(payment.provider.paymentId)!.payment_intent,
      balance_transactions: [],
    });
    // Only charge.dispute.created: no funds_withdrawn follows a prevented dispute.
    expect(stripe.events.at(-1)!.type).toBe('charge.dispute.created');
    await h.webhooksSettled();
    expect(await h.payment(payment.id)).toMatchObject({ status: 'paid', amountRefunded: 0 });
    const events = await h.events(payment.id);
    expect(events).toHaveLength(before);
    expect(events.some((e) => e.toStatus === 'charged_back')).toBe(false);
  });

  it('reconciliation polls Stripe and recovers a payment whose webhook was dropped', async () => {
    const payment = await h.createPayment(accountId);
    stripe.dropWebhooks = true;
    await h.checkout(payment.checkoutUrl, 'paid');
    expect((await h.payment(payment.id)).status).toBe('pending');
    await server.server.app.get(ReconciliationService).runOnce();
    expect((await h.payment(payment.id)).status).toBe('paid');
    expect((await h.events(payment.id)).pop()).toMatchObject({ toStatus: 'paid', source: 'poll' });
  });

  it('an unverifiable event costs no Stripe call: nothing is polled, nothing changes', async () => {
    const payment = await h.createPayment(accountId);
    stripe.dropWebhooks = true;
    await h.checkout(payment.checkoutUrl, 'paid');
    const calls = stripe.calls.length;
    const forged = JSON.stringify({
      id: 'evt_forged2',
      object: 'event',
      type: 'checkout.session.expired',
      data: { object: { id: payment.provider.paymentId, object: 'checkout.session' } },
    });
    const response = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' },
      body: forged,
    });
    expect(response.status).toBe(401);
    await h.webhooksSettled();
    expect(stripe.calls.length).toBe(calls);
    expect((await h.payment(payment.id)).status).toBe('pending');
    expect(
      (await h.events(payment.id)).some((e) => e.source === 'webhook' || e.source === 'poll'),
    ).toBe(false);
  });

  describe('the simulator refuses what Stripe refuses', () => {
    const valid =
      'mode=payment&success_url=https%3A%2F%2Fshop.example%2Fr&line_items[0][quantity]=1&line_items[0][price_data][currency]=eur&line_items[0][price_data][unit_amount]=1050&line_items[0][price_data][product_data][name]=Order';
    async function post(body: string, headers: Record<string, string> = {}) {
      const response = await fetch(`${stripe.url}/v1/checkout/sessions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${stripe.secretKey}`,
          'content-type': 'application/x-www-form-urlencoded',
          ...headers,
        },
        body,
      });
      return { status: response.status, body: (await response.json()) as any };
    }

    it('a JSON body, an unknown parameter, a decimal amount and a wrong key', async () => {
      const asJson = await post(JSON.stringify(parseStripeForm(valid)), {
        'content-type': 'application/json',
      });
      expect(asJson.status).toBe(400);
      expect(asJson.body.error.type).toBe('invalid_request_error');
      expect((await post(`${valid}&amount=1050`)).body.error).toMatchObject({
        code: 'parameter_unknown',
        param: 'amount',
      });
      expect(
        (await post(valid.replace('unit_amount]=1050', 'unit_amount]=10.50'))).body.error,
      ).toMatchObject({ code: 'parameter_invalid_integer' });
      expect((await post(valid.replace('mode=payment&', ''))).body.error).toMatchObject({
        code: 'parameter_missing',
        param: 'mode',
      });
      expect((await post(valid, { authorization: 'Bearer sk_test_other' })).status).toBe(401);
      expect((await post(valid)).status).toBe(200);
    });

    it('payment_method_types on session create (gone in API version 2026-10-28) and unknown allowed types', async () => {
      expect(await post(`${valid}&payment_method_types[0]=card`)).toMatchObject({
        status: 400,
        body: {
          error: {
            type: 'invalid_request_error',
            code: 'parameter_unknown',
            param: 'payment_method_types',
            message: expect.stringContaining('Received unknown parameter'),
          },
        },
      });
      expect(
        (
          await post(
            `${valid}&allowed_payment_method_types[0]=ideal&allowed_payment_method_types[1]=klarna`,
          )
        ).body,
      ).toMatchObject({ allowed_payment_method_types: ['ideal', 'klarna'] });
      expect(await post(`${valid}&allowed_payment_method_types[0]=cheque`)).toMatchObject({
        status: 400,
        body: { error: { param: 'allowed_payment_method_types[0]' } },
      });
      expect((await post(`${valid}&locale=pt-PT`)).body.error).toMatchObject({ param: 'locale' });
      expect((await post(`${valid}&locale=zh-TW`)).status).toBe(200);
    });

    it('metadata keys with square brackets, over 40 characters, values over 500 and more than 50 keys', async () => {
      const refused = async (body: string, param = 'metadata') =>
        expect(await post(`${valid}&${body}`)).toMatchObject({
          status: 400,
          body: { error: { type: 'invalid_request_error', param } },
        });
      await refused('metadata[a[b]]=x');
      await refused('metadata[a]b]=x');
      await refused(`metadata[${'k'.repeat(41)}]=x`);
      await refused(`metadata[k]=${'v'.repeat(501)}`);
      const keys = (n: number, prefix = 'metadata') =>
        Array.from({ length: n }, (_, i) => `${prefix}[k${i}]=${i}`).join('&');
      await refused(keys(51));
      await refused('payment_intent_data[metadata][a[b]]=x', 'payment_intent_data[metadata]');
      const fits = await post(
        `${valid}&${keys(50)}&metadata[${'k'.repeat(40)}]=${'v'.repeat(500)}`.replace(
          'metadata[k49]=49&',
          '',
        ),
      );
      expect(fits.status).toBe(200);
      expect(Object.keys(fits.body.metadata)).toHaveLength(50);
    });

    it("a total below the currency's minimum charge, after the coupon too", async () => {
      const small = valid.replace('unit_amount]=1050', 'unit_amount]=49');
      expect(await post(small)).toMatchObject({
        status: 400,
        body: {
          error: {
            type: 'invalid_request_error',
            code: 'amount_too_small',
            message: "The Checkout Session's total amount due must add up to at least €0.50 eur",
          },
        },
      });
      const yen = (amount: number) =>
        post(
          valid
            .replace('currency]=eur', 'currency]=jpy')
            .replace('unit_amount]=1050', `unit_amount]=${amount}`),
        );
      expect((await yen(49)).body.error).toMatchObject({
        code: 'amount_too_small',
        message: expect.stringMatching(/at least ¥50 jpy$/),
      });
      expect((await yen(50)).status).toBe(200);
      const coupon = (await (
        await fetch(`${stripe.url}/v1/coupons`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${stripe.secretKey}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: 'amount_off=1001&currency=eur&duration=once',
        })
      ).json()) as { id: string };
      const discounted = await post(`${valid}&discounts[0][coupon]=${coupon.id}`);
      expect(discounted.body.error).toMatchObject({ code: 'amount_too_small' });
      // A refused session does not use up the coupon.
      expect(stripe.coupons.get(coupon.id)!.times_redeemed).toBe(0);
      expect((await post(valid.replace('unit_amount]=1050', 'unit_amount]=50'))).status).toBe(200);
    });

    it('/cancel of a PaymentIntent a Checkout Session created, unless it is requires_capture (400 payment_intent_unexpected_state)', async () => {
      const payment = await h.createPayment(accountId);
      stripe.dropWebhooks = true;
      await h.checkout(payment.checkoutUrl, 'failed');
      stripe.dropWebhooks = false;
      const intentId = stripe.sessions.get(payment.provider.paymentId)!.payment_intent!;
      const cancel = (id: string) =>
        fetch(`${stripe.url}/v1/payment_intents/${id}/cancel`, {
          method: 'POST',
          headers: { authorization: `Bearer ${stripe.secretKey}` },
        });
      const refused = await cancel(intentId);
      expect(refused.status).toBe(400);
      expect((await refused.json()).error).toMatchObject({
        type: 'invalid_request_error',
        code: 'payment_intent_unexpected_state',
        message: expect.stringContaining('requires_payment_method'),
      });
      expect(stripe.intents.get(intentId)!.status).toBe('requires_payment_method');

      // An authorization may be canceled.
      const authorized = await paid({ captureMode: 'manual' });
      const authorizedIntent = stripe.sessions.get(authorized.provider.paymentId)!.payment_intent!;
      const done = await cancel(authorizedIntent);
      expect(done.status).toBe(200);
      expect((await done.json()).status).toBe('canceled');
    });

    it('expires_at less than 30 minutes after creation, with no slack beyond a second', async () => {
      const now = Math.floor(Date.now() / 1000);
      expect((await post(`${valid}&expires_at=${now + 1797}`)).body.error).toMatchObject({
        param: 'expires_at',
      });
      expect((await post(`${valid}&expires_at=${now + 1801}`)).status).toBe(200);
    });
  });
});
