import { paymentBody } from '../support/test-server';
import { useConnectorSuite } from '../simulators/connector-e2e-support';
import { ExampleProvider } from '../support/connectors/example/example.provider';
import { ExampleSimulator } from '../support/connectors/example/example.simulator';

/**
 * The connector of docs/connectors.md "Adding a connector": one folder
 * (test/support/connectors/example/) and one registry line (`connectors` below). Everything
 * else (credential validation, routing, webhooks, the catalog) comes from the core.
 */
describe('Example connector: one folder and one registry line (sqlite)', () => {
  const suite = useConnectorSuite({
    connectors: [ExampleProvider],
    simulator: () => new ExampleSimulator(),
    account: (sim) => ({
      provider: 'example',
      credentials: {
        apiKey: sim.apiKey,
        merchantId: sim.merchantId,
        webhookSecret: sim.webhookSecret,
      },
      baseUrl: sim.url,
    }),
  });
  const admin = async (method: string, path: string, body?: unknown) =>
    suite.server.request(method, path, { token: await suite.server.adminToken(), body });

  it('is listed by GET /api/v1/admin/providers with its credential schema and capabilities', async () => {
    const response = await admin('GET', '/api/v1/admin/providers');
    expect(response.status).toBe(200);
    const example = response.body.data.find((p: { name: string }) => p.name === 'example');
    expect(example).toMatchObject({
      label: 'Example PSP',
      credentials: [
        { name: 'apiKey', secret: true, required: true },
        { name: 'merchantId', secret: false, required: true, pattern: '^M[0-9]{4,10}$' },
        { name: 'webhookSecret', secret: true, required: true },
      ],
      capabilities: { currencies: ['EUR', 'USD', 'GBP'], polling: true },
    });
    expect(example.capabilities.methods).toEqual([
      expect.objectContaining({ method: 'card', manualCapture: true, refunds: true }),
      expect.objectContaining({ method: 'ideal', manualCapture: false, refunds: true }),
    ]);
  });

  it('validates credentials from its schema: a 400 naming the field', async () => {
    const sim = suite.sim;
    const wrongShape = await suite.h.createAccount({
      provider: 'example',
      credentials: { apiKey: sim.apiKey, merchantId: 'X1', webhookSecret: sim.webhookSecret },
    });
    expect(wrongShape.status).toBe(400);
    expect(wrongShape.body.errors).toEqual([
      { field: 'credentials.merchantId', message: 'must be M followed by 4 to 10 digits' },
    ]);
    const missing = await suite.h.createAccount({
      provider: 'example',
      credentials: { apiKey: sim.apiKey, merchantId: sim.merchantId },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([
      { field: 'credentials.webhookSecret', message: 'is required' },
    ]);
  });

  it('tests the connection with one authenticated read', async () => {
    const response = await admin(
      'POST',
      `/api/v1/admin/provider-accounts/${suite.accountId}/test-connection`,
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ ok: true, outcome: 'ok', httpStatus: 200 });
    expect(suite.sim.callsTo('GET', /^\/v1\/merchant$/)).toHaveLength(1);
  });

  it('creates a payment in its wire format, is paid through the signed webhook, and refunds', async () => {
    const payment = await suite.h.createPayment(suite.accountId, { method: 'card' });
    expect(payment).toMatchObject({
      status: 'pending',
      provider: { name: 'example', accountId: suite.accountId },
    });
    const charge = suite.sim.charges.get(payment.provider.paymentId)!;
    expect(charge).toMatchObject({
      merchant: 'M12345',
      amount: 1050,
      currency: 'EUR',
      reference: payment.id,
      capture: 'auto',
      notify_url: suite.webhookUrl,
    });
    expect(payment.checkoutUrl).toBe(`${suite.sim.url}/pay/${charge.id}`);

    const redirect = await suite.h.checkout(payment.checkoutUrl, 'pay');
    expect(redirect.headers.get('location')).toBe(payment.returnUrl);
    const paid = await suite.h.waitForStatus(payment.id, 'paid');
    expect(paid.amountCaptured).toBe(1050);
    expect(suite.sim.webhooks.at(-1)!.status).toBe(200);

    const refund = await suite.server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
      body: { amount: { value: 300, currency: 'EUR' } },
    });
    expect(refund).toMatchObject({ status: 201, body: { status: 'succeeded' } });
    expect(suite.sim.refunds.at(-1)).toMatchObject({ amount: 300, status: 'succeeded' });
    expect((await suite.h.payment(payment.id)).status).toBe('partially_refunded');
  });

  it('authorises a card for manual capture and captures it', async () => {
    const payment = await suite.h.createPayment(suite.accountId, {
      method: 'card',
      captureMode: 'manual',
    });
    await suite.h.checkout(payment.checkoutUrl, 'pay');
    await suite.h.waitForStatus(payment.id, 'authorized');
    const captured = await suite.server.request('POST', `/api/v1/payments/${payment.id}/capture`, {
      body: {},
    });
    expect(captured.status).toBe(200);
    expect(captured.body).toMatchObject({ status: 'paid', amountCaptured: 1050 });
  });

  it('refuses what its capabilities exclude before calling the PSP (422)', async () => {
    const before = suite.sim.charges.size;
    const response = await suite.server.request('POST', '/api/v1/payments', {
      body: paymentBody({
        providerAccountId: suite.accountId,
        method: 'ideal',
        captureMode: 'manual',
      }),
    });
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('not_supported_by_provider');
    expect(suite.sim.charges.size).toBe(before);
  });

  it('refuses a webhook whose signature does not verify, and applies nothing', async () => {
    const payment = await suite.h.createPayment(suite.accountId);
    const charge = suite.sim.charges.get(payment.provider.paymentId)!;
    const forged = await fetch(suite.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'example-signature': '00'.repeat(32) },
      body: JSON.stringify({ type: 'charge.updated', charge: { ...charge, status: 'captured' } }),
    });
    expect(forged.status).toBe(401);
    await suite.h.webhooksSettled();
    expect((await suite.h.payment(payment.id)).status).toBe('pending');
  });
});
