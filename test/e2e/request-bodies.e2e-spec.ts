import * as http from 'node:http';
import { AdyenSimulator, adyenTestCredentials } from '../simulators/adyen/adyen-simulator';
import { useConnectorSuite } from '../simulators/connector-e2e-support';
import { enabledDialects } from '../support/services';
import { paymentBody, submitCheckout } from '../support/test-server';
import { WebhookDelivery } from '../../src/webhooks/webhook-delivery.entity';

/** `[[[…]]]` nested `levels` deep, as JSON text. */
const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

/** One request over plain node:http: no content type unless given, chunked unless `length`. */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; chunked?: boolean },
): Promise<{ status: number; body: any }> {
  const headers = { ...options.headers };
  if (options.body !== undefined && !options.chunked)
    headers['content-length'] = String(Buffer.byteLength(options.body));
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: options.method ?? 'POST', headers, agent: false },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            /* not JSON */
          }
          resolve({ status: response.statusCode!, body });
        });
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

describe.each(enabledDialects())('request bodies (%s)', (dialect) => {
  const credentials = adyenTestCredentials();
  // An Adyen account whose webhooks arrive on the public listener, as in production.
  const suite = useConnectorSuite({
    simulator: () => new AdyenSimulator(credentials),
    account: (adyen) => ({
      provider: 'adyen',
      name: 'Adyen',
      credentials,
      baseUrl: adyen.baseUrl,
      enabled: true,
    }),
    publicListener: true,
    dialect,
  });
  beforeAll(() => {
    suite.sim.webhookUrl = suite.webhookUrl;
  });

  const create = (body: string, headers: Record<string, string> = {}, apiKey?: string | null) =>
    suite.server.request('POST', '/api/v1/payments', {
      body,
      apiKey,
      headers: { 'content-type': 'application/json', ...headers },
    });
  const jsonOf = (body: Record<string, unknown>) =>
    JSON.stringify(paymentBody({ providerAccountId: 'test', ...body }));
  const fields = (body: any): string[] =>
    (body.errors ?? []).map((e: { field: string }) => e.field);

  describe('JSON nested deeper than 32 levels', () => {
    it('is a 400 naming the body on the payment API, not a 500', async () => {
      const response = await create(`{"metadata":${nested(10_000)}}`);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ code: 'validation_failed' });
      expect(response.body.errors).toEqual([{ field: 'body', message: expect.any(String) }]);
      expect(response.body.detail).toMatch(/32 levels/);
    });

    it('is refused before authentication, unparsed (1 MB of arrays, no API key)', async () => {
      const response = await create(`{"metadata":${nested(500_000)}}`, {}, null);
      expect(response.status).toBe(400);
      expect(fields(response.body)).toEqual(['body']);
    });

    it('is a 400 naming the body on the admin API too', async () => {
      const response = await suite.server.request('POST', '/api/v1/admin/routing/simulate', {
        token: await suite.server.adminToken(),
        body: `{"metadata":${nested(10_000)}}`,
      });
      expect(response.status).toBe(400);
      expect(fields(response.body)).toEqual(['body']);
    });

    it('allows 32 levels (the field is then validated as usual) and refuses 33', async () => {
      // The body object is level 1, metadata level 2: 30 arrays more make 32.
      const atLimit = await create(`{"metadata":{"a":${nested(30)}}}`);
      expect(atLimit.status).toBe(400);
      expect(fields(atLimit.body)).not.toContain('body');
      const over = await create(`{"metadata":{"a":${nested(31)}}}`);
      expect(over.status).toBe(400);
      expect(fields(over.body)).toEqual(['body']);
    });

    it('does not count brackets inside strings (escaped quotes included)', async () => {
      const tricky = `[[[{{{ \\" ${'['.repeat(100)} \\\\`;
      const response = await create(
        jsonOf({ description: 'Order #1', metadata: { note: tricky, other: '"]]]' } }),
      );
      expect(response.status).toBe(201);
      expect(response.body.metadata).toEqual({ note: tricky, other: '"]]]' });
    });

    it('accepts a real payment body (lines, addresses, metadata)', async () => {
      const address = {
        givenName: 'Ada',
        familyName: 'Lovelace',
        streetAndNumber: 'Main 1',
        postalCode: '1000',
        city: 'Brussels',
        country: 'BE',
      };
      const amount = { value: 1050, currency: 'EUR' };
      const response = await create(
        jsonOf({
          metadata: { orderId: '1042', channel: 'web' },
          billingAddress: address,
          shippingAddress: address,
          lines: [{ name: 'Book', quantity: 1, unitPrice: amount, totalAmount: amount }],
        }),
      );
      expect(response.status).toBe(201);
      expect(response.body.metadata).toEqual({ orderId: '1042', channel: 'web' });
    });

    it('is refused on the Adyen webhook route like a malformed body: nothing stored, no Adyen call', async () => {
      const payment = await suite.h.createPayment(suite.accountId);
      suite.sim.dropWebhooks = true;
      await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
      await suite.sim.settled();
      suite.sim.dropWebhooks = false;
      const genuine = suite.sim.lastSigned!;
      // additionalData (other than the signature) is not covered by Adyen's HMAC.
      const deep = genuine.replace(
        '"additionalData":{',
        `"additionalData":{"deep":${nested(10_000)},`,
      );
      expect(deep).not.toBe(genuine);
      const deliveries = () =>
        suite.server.dataSource
          .getRepository(WebhookDelivery)
          .countBy({ providerAccountId: suite.accountId });
      const stored = await deliveries();
      const calls = suite.sim.calls.length;

      const malformed = await send(suite.webhookUrl, {
        headers: { 'content-type': 'application/json' },
        body: '{"notificationItems":',
      });
      const refused = await send(suite.webhookUrl, {
        headers: { 'content-type': 'application/json' },
        body: deep,
      });
      expect(refused.status).toBe(malformed.status);
      expect(refused.body.code).toBe(malformed.body.code);
      await suite.h.webhooksSettled();
      expect(await deliveries()).toBe(stored);
      expect(suite.sim.calls.length).toBe(calls);
      expect((await suite.h.payment(payment.id)).status).toBe('pending');

      // The same notification without the nesting is genuine.
      expect(await suite.sim.deliver(genuine)).toBe(200);
      await suite.h.waitForStatus(payment.id, 'paid');
    });
  });

  describe('media types', () => {
    const url = () => `${suite.server.baseUrl}/api/v1/payments`;
    const withKey = (headers: Record<string, string> = {}) => ({
      'x-api-key': suite.server.apiKey,
      ...headers,
    });

    it.each([
      ['text/plain', { 'content-type': 'text/plain' }, false],
      ['a form', { 'content-type': 'application/x-www-form-urlencoded' }, false],
      ['XML', { 'content-type': 'application/xml' }, false],
      ['no content type', {}, false],
      ['no content type, chunked', {}, true],
    ])('a JSON body sent as %s is 415, naming Content-Type', async (_, headers, chunked) => {
      const response = await send(url(), {
        headers: withKey(headers),
        body: jsonOf({}),
        chunked,
      });
      expect(response.status).toBe(415);
      expect(response.body).toMatchObject({ status: 415, code: 'unsupported_media_type' });
      expect(response.body.detail).toMatch(/Content-Type/);
      expect(response.body.detail).toMatch(/application\/json/);
    });

    it('refuses JSON in another charset than UTF-8 (the depth scan reads UTF-8)', async () => {
      const response = await send(url(), {
        headers: withKey({ 'content-type': 'application/json; charset=utf-16' }),
        body: jsonOf({}),
      });
      expect(response.status).toBe(415);
      expect(response.body.code).toBe('unsupported_media_type');
    });

    it.each([['application/json; charset=utf-8'], ['application/vnd.shop+json']])(
      'takes %s',
      async (type) => {
        const response = await send(url(), {
          headers: withKey({ 'content-type': type }),
          body: jsonOf({}),
        });
        expect(response.status).toBe(201);
      },
    );

    it('keeps bodyless POSTs working (capture sent with no body and no content type)', async () => {
      const created = await create(jsonOf({ captureMode: 'manual' }));
      expect(created.status).toBe(201);
      await submitCheckout(created.body.checkoutUrl, { outcome: 'authorized' });
      await suite.h.waitForStatus(created.body.id, 'authorized');
      const capture = await send(`${url()}/${created.body.id}/capture`, { headers: withKey() });
      expect(capture.status).toBe(200);
      expect((await suite.h.waitForStatus(created.body.id, 'paid')).amountCaptured).toBe(1050);
    });
  });

  describe('the NUL character', () => {
    it('in a string of the body is a 400 naming the field', async () => {
      const response = await create(jsonOf({ description: 'a\u0000b' }));
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('validation_failed');
      expect(fields(response.body)).toEqual(['description']);
    });

    it('in a nested field is a 400 naming that field', async () => {
      const response = await create(jsonOf({ metadata: { note: 'x\u0000' } }));
      expect(response.status).toBe(400);
      expect(fields(response.body)).toEqual(['metadata.note']);
    });

    it('written as the text \\u0000 (an escaped backslash) is only text, and accepted', async () => {
      const response = await create(jsonOf({ description: 'a\\u0000b' }));
      expect(response.status).toBe(201);
      expect(response.body.description).toBe('a\\u0000b');
    });
  });
});
