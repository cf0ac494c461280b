import type { ProviderCallContext, WebhookPaymentView } from '../provider.interface';
import type { HttpRequest } from '../provider-http.client';
import { ProviderError } from '../provider-error';
import { PayPalProvider } from './paypal.provider';
import { recordingContext } from '../../../test/support/provider-context';

function context(
  account: Partial<ProviderCallContext['account']>,
  seen: HttpRequest[],
): ProviderCallContext {
  const answer = (request: HttpRequest) =>
    request.url.endsWith('/v1/oauth2/token')
      ? { access_token: 'tok', token_type: 'Bearer', expires_in: 32400 }
      : {
          id: 'ORDER1',
          status: 'PAYER_ACTION_REQUIRED',
          links: [{ rel: 'payer-action', href: 'https://paypal/checkoutnow?token=ORDER1' }],
        };
  const credentials = { clientId: 'id', clientSecret: 'secret', webhookId: 'WH1' };
  return recordingContext(
    { id: `pa_${Math.random()}`, provider: 'paypal', credentials, ...account },
    answer,
    seen,
  );
}

const request = (value: number, currency: string) => ({
  paymentId: 'pay_1',
  amount: { value, currency },
  description: 'd'.repeat(200),
  reference: 'o-1',
  returnUrl: 'https://shop/r',
  cancelUrl: null,
  method: null,
  captureMode: 'automatic' as const,
  customer: null,
  metadata: null,
});

describe('PayPalProvider requests', () => {
  it.each([
    [{ testMode: true }, 'https://api-m.sandbox.paypal.com'],
    [{ testMode: false }, 'https://api-m.paypal.com'],
    [
      { testMode: false, baseUrl: 'http://egress.internal/paypal' },
      'http://egress.internal/paypal',
    ],
  ])('%j talks to %s, OAuth2 first', async (account, base) => {
    const seen: HttpRequest[] = [];
    const provider = new PayPalProvider();
    await provider.createPayment(context(account, seen), request(1050, 'EUR'));
    expect(seen.map((r) => r.url)).toEqual([
      `${base}/v1/oauth2/token`,
      `${base}/v2/checkout/orders`,
    ]);
    expect(seen[0].headers?.authorization).toBe(
      `Basic ${Buffer.from('id:secret').toString('base64')}`,
    );
    expect(seen[0].body).toBe('grant_type=client_credentials');
    expect(seen[1].headers).toMatchObject({
      authorization: 'Bearer tok',
      'paypal-request-id': 'pay_1',
    });
  });

  it.each([
    [1050, 'EUR', '10.50'],
    [5, 'USD', '0.05'],
    [1500, 'JPY', '1500'],
    [150000, 'HUF', '1500'],
    [900719925474099, 'USD', '9007199254740.99'],
  ])('%d %s is sent as "%s"', async (value, currency, decimal) => {
    const seen: HttpRequest[] = [];
    await new PayPalProvider().createPayment(context({}, seen), request(value, currency));
    const body = JSON.parse(seen[1].body!);
    expect(body.purchase_units[0].amount).toEqual({ currency_code: currency, value: decimal });
    expect(body.purchase_units[0].description).toHaveLength(127);
  });

  it('refuses HUF fractions PayPal cannot take', async () => {
    await expect(
      new PayPalProvider().createPayment(context({}, []), request(150050, 'HUF')),
    ).rejects.toMatchObject({ code: 'invalid_request' });
  });
});

describe('PayPalProvider.getPayment of an approved order whose capture PayPal refuses', () => {
  /** The order is APPROVED; its capture answers 422 with `issue`. */
  function refusing(issue: string, seen: HttpRequest[]): ProviderCallContext {
    const ctx = context({}, seen);
    const answer = (request: HttpRequest): [number, unknown] => {
      if (request.url.endsWith('/v1/oauth2/token'))
        return [200, { access_token: 'tok', token_type: 'Bearer', expires_in: 32400 }];
      if (request.url.endsWith('/capture'))
        return [422, { name: 'UNPROCESSABLE_ENTITY', details: [{ issue, description: issue }] }];
      return [200, { id: 'ORDER1', status: 'APPROVED', intent: 'CAPTURE' }];
    };
    ctx.http = {
      request: async (request: HttpRequest) => {
        seen.push(request);
        const [status, body] = answer(request);
        return { status, headers: new Headers(), text: JSON.stringify(body), json: () => body };
      },
    } as unknown as ProviderCallContext['http'];
    return ctx;
  }

  it.each([
    'PAYER_ACCOUNT_RESTRICTED',
    'PAYER_ACCOUNT_LOCKED_OR_CLOSED',
    'TRANSACTION_BLOCKED_BY_PAYEE',
    'TRANSACTION_LIMIT_EXCEEDED',
    'TRANSACTION_RECEIVING_LIMIT_EXCEEDED',
    'DECLINED_DUE_TO_RELATED_TXN',
  ])('%s: the payment fails (final, not retried at the next poll)', async (issue) => {
    const seen: HttpRequest[] = [];
    const state = await new PayPalProvider().getPayment(refusing(issue, seen), 'ORDER1');
    expect(state).toMatchObject({
      status: 'failed',
      providerStatus: issue,
      failure: { code: 'declined' },
    });
    expect(state.failure!.message).toContain(issue);
  });

  it.each(['INSTRUMENT_DECLINED', 'REDIRECT_PAYER_FOR_ALTERNATE_FUNDING', 'PAYER_ACTION_REQUIRED'])(
    '%s: the payment stays pending (the buyer may choose another funding source)',
    async (issue) => {
      const state = await new PayPalProvider().getPayment(refusing(issue, []), 'ORDER1');
      expect(state).toEqual({
        providerPaymentId: 'ORDER1',
        status: 'pending',
        providerStatus: `APPROVED/${issue}`,
      });
    },
  );

  it('another 422 (ORDER_NOT_APPROVED) is thrown, for the next poll to try again', async () => {
    await expect(
      new PayPalProvider().getPayment(refusing('ORDER_NOT_APPROVED', []), 'ORDER1'),
    ).rejects.toMatchObject({ code: 'invalid_request' });
  });
});

describe('PayPalProvider.completeWebhookNotification (refunds and reversals read back)', () => {
  const payment: WebhookPaymentView = {
    id: 'pay_1',
    providerPaymentId: 'ORDER1',
    providerReference: '2CA67890',
    captureMode: 'automatic',
    amount: { value: 1050, currency: 'EUR' },
    status: 'paid',
  };
  const upLink = (captureId: string) => [
    { href: `https://api.paypal.com/v2/payments/captures/${captureId}`, rel: 'up' },
  ];
  /** PayPal's answers by path: [status, body]; the token is always granted. */
  function paypalAnswering(
    answers: Record<string, [number, unknown]>,
    seen: HttpRequest[],
  ): ProviderCallContext {
    const ctx = context({}, seen);
    ctx.http = {
      request: async (request: HttpRequest) => {
        seen.push(request);
        const path = new URL(request.url).pathname;
        const [status, body] =
          path === '/v1/oauth2/token'
            ? [200, { access_token: 'tok', token_type: 'Bearer', expires_in: 32400 }]
            : (answers[path] ?? [404, { name: 'RESOURCE_NOT_FOUND' }]);
        return { status, headers: new Headers(), text: JSON.stringify(body), json: () => body };
      },
    } as unknown as ProviderCallContext['http'];
    return ctx;
  }
  const apiCalls = (seen: HttpRequest[]) =>
    seen
      .filter((r) => !r.url.endsWith('/v1/oauth2/token'))
      .map((r) => `${r.method} ${new URL(r.url).pathname}`);
  const refundItem = {
    refundId: 'ref_forged',
    providerPaymentId: '2CA67890',
    lookup: '2CA67890',
    detail: { readBack: 'refund', refund: '1RE12345' },
  };

  it('a refund is replaced by what refunds.get answers (status, amount, custom_id), whatever the body said', async () => {
    const seen: HttpRequest[] = [];
    const ctx = paypalAnswering(
      {
        '/v2/payments/refunds/1RE12345': [
          200,
          {
            id: '1RE12345',
            status: 'PENDING',
            amount: { currency_code: 'EUR', value: '4.00' },
            custom_id: 'ref_1',
            links: upLink('2CA67890'),
          },
        ],
      },
      seen,
    );
    const items = await new PayPalProvider().completeWebhookNotification(ctx, refundItem, payment);
    expect(items).toEqual([
      {
        signedAmount: { money: { value: 400, currency: 'EUR' }, rule: 'at_most' },
        refund: {
          providerRefundId: '1RE12345',
          refundId: 'ref_1',
          status: 'pending',
          providerStatus: 'PENDING',
          amount: 400,
        },
      },
    ]);
    // Its capture is the payment's providerReference: no further call.
    expect(apiCalls(seen)).toEqual(['GET /v2/payments/refunds/1RE12345']);
  });

  it('a refund of another payment’s capture is a payment_mismatch, never applied', async () => {
    const seen: HttpRequest[] = [];
    const ctx = paypalAnswering(
      {
        '/v2/payments/refunds/1RE12345': [
          200,
          { id: '1RE12345', status: 'FAILED', custom_id: 'ref_9', links: upLink('OTHERCAPTURE') },
        ],
        '/v2/payments/captures/OTHERCAPTURE': [
          200,
          { id: 'OTHERCAPTURE', supplementary_data: { related_ids: { order_id: 'ORDER9' } } },
        ],
      },
      seen,
    );
    const items = await new PayPalProvider().completeWebhookNotification(ctx, refundItem, payment);
    expect(items).toEqual([{ mismatch: expect.objectContaining({ reason: 'payment_mismatch' }) }]);
    expect(apiCalls(seen)).toEqual([
      'GET /v2/payments/refunds/1RE12345',
      'GET /v2/payments/captures/OTHERCAPTURE',
    ]);
  });

  it('a refund of another capture of the payment’s own order is the payment’s', async () => {
    const seen: HttpRequest[] = [];
    const ctx = paypalAnswering(
      {
        '/v2/payments/refunds/1RE12345': [
          200,
          {
            id: '1RE12345',
            status: 'COMPLETED',
            amount: { currency_code: 'EUR', value: '1.00' },
            links: upLink('SECONDCAPTURE'),
          },
        ],
        '/v2/payments/captures/SECONDCAPTURE': [
          200,
          { id: 'SECONDCAPTURE', supplementary_data: { related_ids: { order_id: 'ORDER1' } } },
        ],
      },
      seen,
    );
    const [item] = await new PayPalProvider().completeWebhookNotification(ctx, refundItem, payment);
    expect(item.refund).toMatchObject({ status: 'succeeded', amount: 100 });
  });

  it.each([
    [500, 'provider_unavailable'],
    [404, 'not_found'],
  ])(
    'PayPal answering %d is thrown (the inbox retries), never taken for a failed refund',
    async (status, code) => {
      const ctx = paypalAnswering(
        { '/v2/payments/refunds/1RE12345': [status, { name: 'ERROR' }] },
        [],
      );
      await expect(
        new PayPalProvider().completeWebhookNotification(ctx, refundItem, payment),
      ).rejects.toEqual(expect.objectContaining({ code }));
      await expect(
        new PayPalProvider().completeWebhookNotification(ctx, refundItem, payment),
      ).rejects.toBeInstanceOf(ProviderError);
    },
  );

  it('a reversal PayPal reports COMPLETED on the payment’s capture charges it back', async () => {
    const seen: HttpRequest[] = [];
    const ctx = paypalAnswering(
      {
        '/v2/payments/refunds/1RV00001': [
          200,
          {
            id: '1RV00001',
            status: 'COMPLETED',
            amount: { currency_code: 'EUR', value: '10.50' },
            links: upLink('2CA67890'),
          },
        ],
      },
      seen,
    );
    const items = await new PayPalProvider().completeWebhookNotification(
      ctx,
      {
        providerPaymentId: '2CA67890',
        lookup: '2CA67890',
        detail: { readBack: 'reversal', refund: '1RV00001' },
      },
      payment,
    );
    expect(items).toEqual([
      expect.objectContaining({
        payment: expect.objectContaining({ status: 'charged_back' }),
      }),
    ]);
  });

  it('other items (orders, captures, authorizations) are left to getPayment, with no call', async () => {
    const seen: HttpRequest[] = [];
    const item = { providerPaymentId: 'ORDER1', paymentId: 'pay_1', fetchState: true };
    expect(
      await new PayPalProvider().completeWebhookNotification(
        paypalAnswering({}, seen),
        item,
        payment,
      ),
    ).toEqual([item]);
    expect(seen).toEqual([]);
  });
});
