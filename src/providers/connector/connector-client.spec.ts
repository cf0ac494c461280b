import { ProviderError } from '../provider-error';
import type { HttpRequest, HttpResponse, ProviderHttpClient } from '../provider-http.client';
import type { ProviderCallContext } from '../provider.interface';
import { ConnectorClient, joinUrl, type ConnectorSpec } from './connector-client';

function response(status: number, text: string): HttpResponse {
  return { status, headers: new Headers(), text, json: () => JSON.parse(text) };
}

function context(answers: HttpResponse[]) {
  const sent: HttpRequest[] = [];
  const http = {
    request: async (request: HttpRequest) => {
      sent.push(request);
      return answers.shift()!;
    },
  } as unknown as ProviderHttpClient;
  const ctx: ProviderCallContext = {
    account: {
      id: 'pa_1',
      provider: 'x',
      credentials: { key: 'k1' },
      settings: {},
      baseUrl: 'http://psp.local/',
      testMode: true,
    },
    webhookUrl: 'http://us/webhook',
    http,
  };
  return { ctx, sent };
}

const spec: ConnectorSpec = {
  baseUrl: (ctx) => ctx.account.baseUrl!,
  authHeaders: (ctx, renew) => ({
    authorization: `Key ${ctx.account.credentials.key}${renew ? '-new' : ''}`,
  }),
  headers: () => ({ accept: 'application/json' }),
  parseError: (r) => ProviderError.fromHttpStatus(r.status, `PSP ${r.status}`),
};

describe('ConnectorClient', () => {
  it('joins the URL, encodes the body as JSON and sends auth and idempotency headers', async () => {
    const { ctx, sent } = context([response(201, '{"id":"p1"}')]);
    const result = await new ConnectorClient(spec).call<{ id: string }>(
      ctx,
      'POST',
      '/v1/payments',
      { amount: 1 },
      'idem-1',
    );
    expect(result).toEqual({ id: 'p1' });
    expect(sent[0]).toEqual({
      method: 'POST',
      url: 'http://psp.local/v1/payments',
      headers: {
        accept: 'application/json',
        authorization: 'Key k1',
        'content-type': 'application/json',
        'idempotency-key': 'idem-1',
      },
      body: '{"amount":1}',
    });
  });

  it('sends no body and no content type for a GET, and the idempotency key under its own header', async () => {
    const { ctx, sent } = context([response(200, '{}')]);
    await new ConnectorClient({ ...spec, idempotencyHeader: 'paypal-request-id' }).call(
      ctx,
      'GET',
      'v1/x',
      undefined,
      'k',
    );
    expect(sent[0].body).toBeUndefined();
    expect(sent[0].headers).toEqual({
      accept: 'application/json',
      authorization: 'Key k1',
      'paypal-request-id': 'k',
    });
  });

  it('turns a non-2xx answer into the spec’s ProviderError (5xx: an unknown outcome, retryable)', async () => {
    const { ctx } = context([response(503, 'down')]);
    const error: unknown = await new ConnectorClient(spec).call(ctx, 'GET', '/x').catch((e) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'provider_unavailable', retryable: true });
  });

  it('retries a 401 once with renewed auth only when the spec asks for it', async () => {
    const renewing = context([response(401, '{}'), response(200, '{"ok":true}')]);
    await expect(
      new ConnectorClient({ ...spec, renewOnUnauthorized: true }).call(renewing.ctx, 'GET', '/x'),
    ).resolves.toEqual({ ok: true });
    expect(renewing.sent.map((r) => r.headers!.authorization)).toEqual(['Key k1', 'Key k1-new']);

    const plain = context([response(401, '{}')]);
    await expect(new ConnectorClient(spec).call(plain.ctx, 'GET', '/x')).rejects.toMatchObject({
      code: 'invalid_credentials',
    });
    expect(plain.sent).toHaveLength(1);
  });

  it('lets the spec read a 2xx envelope and refuse it', async () => {
    const { ctx } = context([response(200, '{"success":false}')]);
    const client = new ConnectorClient({
      ...spec,
      readSuccess: (r) => {
        const body = r.json<{ success: boolean }>();
        if (!body.success) throw new ProviderError('provider_error', 'no success');
        return body;
      },
    });
    await expect(client.call(ctx, 'GET', '/x')).rejects.toMatchObject({ code: 'provider_error' });
  });

  it('joins base and path with exactly one slash', () => {
    expect(joinUrl('http://a/', '/b')).toBe('http://a/b');
    expect(joinUrl('http://a', 'b?c=1')).toBe('http://a/b?c=1');
  });
});
