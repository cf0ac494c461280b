import { createHmac } from 'node:crypto';
import HmacValidator from '@adyen/api-library/lib/src/utils/hmacValidator';
import { validateCredentialFields } from '../connector/credential-schema';
import { WEBHOOK_MAX_ITEMS } from '../provider.interface';
import { WebhookVerificationError } from '../provider-error';
import type { CreatePaymentRequest, ProviderCallContext } from '../provider.interface';
import type { HttpRequest } from '../provider-http.client';
import { adyenPaymentIdempotencyKey } from './adyen.mapper';
import { AdyenProvider } from './adyen.provider';
import { refusal, supports } from '../capabilities';
import { PAYMENT_METHODS, type PaymentMethod } from '../../domain/payment-status';
import { recordingContext } from '../../../test/support/provider-context';

function context(
  account: Partial<ProviderCallContext['account']>,
  seen: HttpRequest[],
): ProviderCallContext {
  const link = {
    id: 'PL1',
    url: 'https://pay',
    status: 'active',
    amount: { currency: 'EUR', value: 100 },
    merchantAccount: 'M',
    reference: 'pay_1',
  };
  const credentials = { apiKey: 'k', merchantAccount: 'M', hmacKey: 'AA' };
  return recordingContext({ provider: 'adyen', credentials, ...account }, () => link, seen);
}

const EUR = (value: number) => ({ currency: 'EUR', value });

/** A create-payment request of 1.00 EUR with no order details; `over` changes fields. */
function createRequest(over: Partial<CreatePaymentRequest> = {}): CreatePaymentRequest {
  return {
    paymentId: 'pay_1',
    amount: { value: 100, currency: 'EUR' },
    description: 'd',
    reference: 'r',
    returnUrl: 'https://shop/return',
    cancelUrl: null,
    method: null,
    captureMode: 'automatic',
    customer: null,
    metadata: null,
    ...over,
  };
}

describe('AdyenProvider endpoints', () => {
  const provider = new AdyenProvider();

  it.each([
    [{ testMode: true }, 'https://checkout-test.adyen.com/v71/paymentLinks/PL1'],
    [
      {
        testMode: false,
        credentials: {
          apiKey: 'k',
          merchantAccount: 'M',
          hmacKey: 'AA',
          liveUrlPrefix: '1797a841fbb37ca7-AdyenDemo',
        },
      },
      'https://1797a841fbb37ca7-AdyenDemo-checkout-live.adyenpayments.com/checkout/v71/paymentLinks/PL1',
    ],
    [
      { testMode: false, baseUrl: 'http://egress.internal/adyen' },
      'http://egress.internal/adyen/v71/paymentLinks/PL1',
    ],
  ])('%j → %s, with the API key in X-API-Key', async (account, url) => {
    const seen: HttpRequest[] = [];
    await provider.getPayment(context(account, seen), 'PL1');
    expect(seen[0].url).toBe(url);
    expect(seen[0].headers?.['x-api-key']).toBe('k');
  });

  it('sends our payment id as the reference of a capture and of a cancel (signed back as merchantReference)', async () => {
    const seen: HttpRequest[] = [];
    const op = {
      id: 'op_1',
      paymentId: 'pay_1',
      providerPaymentId: 'PL1',
      providerReference: 'PSP1',
      amount: { value: 100, currency: 'EUR' },
      idempotencyKey: 'op_1',
      providerOperationId: null,
    };
    await provider.capture(context({}, seen), op);
    await provider.cancel(context({}, seen), op);
    expect(seen.map((r) => [r.url, JSON.parse(r.body as string).reference])).toEqual([
      ['https://checkout-test.adyen.com/v71/payments/PSP1/captures', 'pay_1'],
      ['https://checkout-test.adyen.com/v71/payments/PSP1/cancels', 'pay_1'],
    ]);
  });

  it('keys a payment link by payment and account: stable on a retry, another on another account', async () => {
    const seen: HttpRequest[] = [];
    const request = createRequest({ paymentId: 'pay_0mh2x7k1AbCdEfGhIjKlMnOp' });
    const first = { id: 'pa_0mh2x7k1QrStUvWxYzAbCdEf' };
    await provider.createPayment(context(first, seen), request);
    await provider.createPayment(context(first, seen), request);
    await provider.createPayment(context({ id: 'pa_0mh2x7k1ZzZzZzZzZzZzZzZz' }, seen), request);
    const keys = seen.map((r) => r.headers?.['idempotency-key']);
    expect(keys[0]).toBe('pay_0mh2x7k1AbCdEfGhIjKlMnOp.pa_0mh2x7k1QrStUvWxYzAbCdEf');
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).toBe('pay_0mh2x7k1AbCdEfGhIjKlMnOp.pa_0mh2x7k1ZzZzZzZzZzZzZzZz');
  });

  it('hashes a payment link key that would be longer than Adyen takes (64)', () => {
    const key = adyenPaymentIdempotencyKey('pay_'.padEnd(40, 'x'), 'pa_'.padEnd(40, 'y'));
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(adyenPaymentIdempotencyKey('pay_'.padEnd(40, 'x'), 'pa_'.padEnd(40, 'y'))).toBe(key);
    expect(adyenPaymentIdempotencyKey('pay_'.padEnd(40, 'x'), 'pa_'.padEnd(40, 'z'))).not.toBe(key);
  });

  it('sends the operation key of a capture, cancel and refund as given (our unique operation id)', async () => {
    const seen: HttpRequest[] = [];
    const op = (id: string) => ({
      id,
      paymentId: 'pay_1',
      providerPaymentId: 'PL1',
      providerReference: 'PSP1',
      amount: { value: 100, currency: 'EUR' },
      idempotencyKey: id,
      providerOperationId: null,
    });
    await provider.capture(context({}, seen), op('op_1'));
    await provider.cancel(context({}, seen), op('op_2'));
    await provider.refund(context({}, seen), op('re_1'));
    expect(seen.map((r) => r.headers?.['idempotency-key'])).toEqual(['op_1', 'op_2', 're_1']);
  });

  it('forces immediate capture for an automatic payment, whatever the account default', async () => {
    const seen: HttpRequest[] = [];
    const request = createRequest();
    await provider.createPayment(context({}, seen), { ...request, captureMode: 'automatic' });
    await provider.createPayment(context({}, seen), { ...request, captureMode: 'manual' });
    const bodies = seen.map((r) => JSON.parse(r.body as string));
    expect(bodies[0]).toMatchObject({ manualCapture: false, captureDelayHours: 0 });
    expect(bodies[1]).toMatchObject({ manualCapture: true });
    expect(bodies[1]).not.toHaveProperty('captureDelayHours');
  });

  it('offers manual capture only for the methods Adyen captures separately', () => {
    const manual = (method: PaymentMethod) =>
      supports(provider.capabilities, method, 'manualCapture');
    expect(PAYMENT_METHODS.filter(manual)).toEqual([
      'card',
      'paypal',
      'klarna',
      'applepay',
      'googlepay',
    ]);
    expect(refusal(provider, { method: 'ideal', features: ['manualCapture'] })).toEqual({
      why: 'adyen does not support manual capture of ideal payments',
      what: 'manual capture of ideal payments',
    });
    expect(supports(provider.capabilities, null, 'manualCapture')).toBe(true);
  });

  it('takes Klarna captures and refunds whole only (partial ones need lineItems, not sent)', () => {
    const partial = ['partialCapture', 'partialRefunds', 'multipleRefunds'] as const;
    const can = (method: PaymentMethod) =>
      partial.map((feature) => supports(provider.capabilities, method, feature));
    expect(can('klarna')).toEqual([false, false, false]);
    expect(can('card')).toEqual([true, true, true]);
    // Whole ones stay, and Klarna keeps its manual capture.
    for (const feature of ['manualCapture', 'cancel', 'refunds'] as const)
      expect(supports(provider.capabilities, 'klarna', feature)).toBe(true);
    expect(refusal(provider, { method: 'klarna', features: ['partialRefunds'] })).toEqual({
      why: 'adyen does not support partial refunds of klarna payments',
      what: 'partial refunds of klarna payments',
    });
    expect(refusal(provider, { method: 'klarna', features: ['partialCapture'] })?.what).toBe(
      'partial capture of klarna payments',
    );
    expect(refusal(provider, { method: 'klarna', features: [] })).toBeNull();
  });

  it('limits the hosted page of a manual payment without a method to methods captured later', async () => {
    const seen: HttpRequest[] = [];
    await provider.createPayment(context({}, seen), createRequest({ captureMode: 'manual' }));
    await provider.createPayment(
      context({}, seen),
      createRequest({
        captureMode: 'manual',
        lines: [{ name: 'x', quantity: 1, unitPrice: EUR(100), totalAmount: EUR(100) }],
        billingAddress: {
          givenName: 'Jane',
          familyName: 'Doe',
          email: 'jane@example.com',
          streetAndNumber: 'Keizersgracht 126',
          postalCode: '1015 CW',
          city: 'Amsterdam',
          country: 'NL',
        },
      }),
    );
    await provider.createPayment(context({}, seen), createRequest({ captureMode: 'automatic' }));
    const allowed = seen.map((r) => JSON.parse(r.body as string).allowedPaymentMethods);
    expect(allowed).toEqual([
      ['scheme', 'applepay', 'googlepay', 'paypal'],
      ['scheme', 'applepay', 'googlepay', 'paypal', 'klarna'],
      undefined,
    ]);
  });

  it.each([
    // 1 000 000 IDR at 11%: 99 099.099… rounds to 99 099 whole rupiah.
    ['IDR', 100_000_000, '11.00', 1_000_000, 99_099],
    // 1 234 CVE at 15%: 160.956… rounds to 161 escudos.
    ['CVE', 123_400, '15.00', 1_234, 161],
    // Unchanged where Adyen's units are ISO's: 12.10 EUR at 21% holds 2.10.
    ['EUR', 1_210, '21.00', 1_210, 210],
  ])(
    'works out the VAT of a %s line in Adyen units (whole units where Adyen has no decimals)',
    async (currency, value, vatRate, unit, tax) => {
      const seen: HttpRequest[] = [];
      const price = { currency, value };
      await provider.createPayment(
        context({}, seen),
        createRequest({
          amount: { currency, value: value * 2 },
          lines: [
            {
              name: 'x',
              quantity: 2,
              unitPrice: price,
              totalAmount: { currency, value: value * 2 },
              vatRate,
            },
          ],
        }),
      );
      const body = JSON.parse(seen[0].body as string);
      expect(body.amount).toEqual({ currency, value: unit * 2 });
      expect(body.lineItems).toEqual([
        {
          id: '1',
          description: 'x',
          quantity: 2,
          amountIncludingTax: unit,
          amountExcludingTax: unit - tax,
          taxAmount: tax,
          taxPercentage: Number(vatRate.replace('.', '')),
        },
      ]);
    },
  );

  it.each([
    ['nl_NL', 'nl-NL'],
    ['en-US', 'en-US'],
    ['de', 'de'],
  ])(
    'sends the locale %s as shopperLocale %s (language-COUNTRY, as Adyen documents)',
    async (locale, sent) => {
      const seen: HttpRequest[] = [];
      await provider.createPayment(context({}, seen), createRequest({ customer: { locale } }));
      expect(JSON.parse(seen[0].body as string).shopperLocale).toBe(sent);
    },
  );

  it('refuses a live account without liveUrlPrefix as invalid credentials', async () => {
    await expect(
      provider.getPayment(context({ testMode: false }, []), 'PL1'),
    ).rejects.toMatchObject({ code: 'invalid_credentials' });
  });

  it.each([
    [
      {
        apiKey: 'k',
        merchantAccount: 'M',
        hmacKey: '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056',
      },
      [],
    ],
    [{ apiKey: 'k', merchantAccount: 'M', hmacKey: 'xyz' }, ['hmacKey']],
    [{ apiKey: '', merchantAccount: 'M', hmacKey: 'AA' }, ['apiKey']],
    [
      { apiKey: 'k', merchantAccount: 'M', hmacKey: 'AA', liveUrlPrefix: 'bad prefix/' },
      ['liveUrlPrefix'],
    ],
    [{}, ['apiKey', 'merchantAccount', 'hmacKey']],
  ])('validates credentials %j', (credentials, fields) => {
    expect(
      validateCredentialFields(provider.description.credentials, credentials).map((p) => p.field),
    ).toEqual(fields);
  });
});

describe('AdyenProvider webhooks', () => {
  const provider = new AdyenProvider();
  const hmacKey = '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056';
  const ctx = {
    account: {
      id: 'pa_1',
      provider: 'adyen',
      credentials: { apiKey: 'k', merchantAccount: 'ShopECOM', hmacKey },
      settings: {},
      baseUrl: null,
      testMode: true,
    },
  } as unknown as ProviderCallContext;
  const signer = new HmacValidator();

  function item(overrides: Record<string, unknown> = {}) {
    const base: Record<string, any> = {
      pspReference: 'PSP0000000000001',
      merchantAccountCode: 'ShopECOM',
      merchantReference: 'pay_A',
      eventDate: '2026-01-01T00:00:00+00:00',
      eventCode: 'AUTHORISATION',
      amount: { currency: 'ISK', value: 279000 },
      success: 'true',
      reason: '',
      ...overrides,
    };
    base.additionalData = {
      paymentLinkId: 'PL_OTHER',
      'metadata.captureMode': 'automatic',
      hmacSignature: signer.calculateHmac(base as never, hmacKey),
    };
    return { NotificationRequestItem: base };
  }
  const webhook = (items: unknown[]) => ({
    headers: {},
    rawBody: Buffer.from(JSON.stringify({ live: 'false', notificationItems: items })),
  });

  it('names the payment by the signed merchantReference and amount (in ISO minor units), never by additionalData', async () => {
    const body = webhook([item()]);
    await provider.verifyWebhook(ctx, body);
    const [notification] = provider.parseWebhook(ctx, body);
    expect(notification).toMatchObject({
      paymentId: 'pay_A',
      signedAmount: { money: { value: 2790, currency: 'ISK' }, rule: 'equals' },
    });
    expect(notification.providerPaymentId).toBeUndefined();
    expect(notification.mismatch).toBeUndefined();
  });

  it('verifies a signature worked out as Adyen documents it, independently of the SDK that signs the others', async () => {
    // docs.adyen.com …/verify-hmac-signatures: base64 HMAC-SHA256, keyed with the binary of the
    // hex key, over pspReference:originalReference:merchantAccountCode:merchantReference:value:
    // currency:eventCode:success (an absent originalReference is empty).
    const fields = {
      pspReference: '7914073381342284',
      merchantAccountCode: 'ShopECOM',
      merchantReference: 'pay_B',
      amount: { currency: 'EUR', value: 1130 },
      eventCode: 'AUTHORISATION',
      success: 'true',
    };
    const payload = [
      '7914073381342284',
      '',
      'ShopECOM',
      'pay_B',
      '1130',
      'EUR',
      'AUTHORISATION',
      'true',
    ];
    const sign = (text: string) =>
      createHmac('sha256', Buffer.from(hmacKey, 'hex')).update(text).digest('base64');
    const signed = (hmacSignature: string) =>
      webhook([{ NotificationRequestItem: { ...fields, additionalData: { hmacSignature } } }]);

    await expect(
      provider.verifyWebhook(ctx, signed(sign(payload.join(':')))),
    ).resolves.toBeUndefined();
    // The same bytes keyed with the key's text, or one field changed, do not verify.
    const textKey = createHmac('sha256', hmacKey).update(payload.join(':')).digest('base64');
    await expect(provider.verifyWebhook(ctx, signed(textKey))).rejects.toThrow(
      WebhookVerificationError,
    );
    const otherValue = sign(payload.map((f) => (f === '1130' ? '1131' : f)).join(':'));
    await expect(provider.verifyWebhook(ctx, signed(otherValue))).rejects.toThrow(
      WebhookVerificationError,
    );
  });

  it('lets the unsigned reason of a refused AUTHORISATION decide nothing: failed, declined, only the message differs', async () => {
    const refused = (reason: string) => {
      const body = webhook([item({ success: 'false', reason })]);
      return { body, notification: provider.parseWebhook(ctx, body)[0] };
    };
    const cancelled = refused('Cancelled');
    const declined = refused('Refused');
    // The same signature verifies both: the reason is outside the HMAC.
    const signature = (body: { rawBody: Buffer }) =>
      JSON.parse(body.rawBody.toString()).notificationItems[0].NotificationRequestItem
        .additionalData.hmacSignature;
    expect(signature(cancelled.body)).toBe(signature(declined.body));
    await provider.verifyWebhook(ctx, cancelled.body);
    expect(cancelled.notification.payment).toMatchObject({
      status: 'failed',
      providerStatus: 'AUTHORISATION:false',
      failure: { code: 'declined', message: 'Cancelled' },
    });
    const { failure, ...rest } = cancelled.notification.payment!;
    expect(declined.notification.payment).toEqual({
      ...rest,
      failure: { ...failure, message: 'Refused' },
    });
  });

  it('marks an item for another merchant account as a mismatch', () => {
    const [notification] = provider.parseWebhook(
      ctx,
      webhook([item({ merchantAccountCode: 'ShopPOS' })]),
    );
    expect(notification.mismatch).toMatchObject({ reason: 'merchant_account_mismatch' });
  });

  it('names a modification by originalReference, with our merchantReference for a capture', () => {
    const [capture] = provider.parseWebhook(
      ctx,
      webhook([
        item({
          eventCode: 'CAPTURE',
          originalReference: 'PSP0000000000001',
          pspReference: 'CAP1',
          amount: { currency: 'EUR', value: 500 },
        }),
      ]),
    );
    expect(capture).toMatchObject({
      providerPaymentId: 'PSP0000000000001',
      paymentId: 'pay_A',
      signedAmount: { money: { value: 500, currency: 'EUR' }, rule: 'at_most' },
      operation: {
        type: 'capture',
        status: 'succeeded',
        providerOperationId: 'CAP1',
        amount: 500,
      },
    });
    expect(capture.payment).toBeUndefined();
    const [refund] = provider.parseWebhook(
      ctx,
      webhook([
        item({
          eventCode: 'REFUND',
          originalReference: 'PSP0000000000001',
          merchantReference: 're_1',
          amount: { currency: 'EUR', value: 200 },
        }),
      ]),
    );
    expect(refund).toMatchObject({
      providerPaymentId: 'PSP0000000000001',
      refundId: 're_1',
      refund: { refundId: 're_1', status: 'succeeded', amount: 200 },
    });
  });

  it('reports CHARGEBACK_REVERSED as a reversed chargeback of the payment it names, not as a chargeback', () => {
    const dispute = (eventCode: string) =>
      provider.parseWebhook(
        ctx,
        webhook([
          item({
            eventCode,
            originalReference: 'PSP0000000000001',
            pspReference: 'DSP1',
            amount: { currency: 'EUR', value: 1050 },
            reason: 'Fraudulent Processing of Transactions',
          }),
        ]),
      )[0];
    expect(dispute('CHARGEBACK_REVERSED')).toEqual({
      providerPaymentId: 'PSP0000000000001',
      paymentId: 'pay_A',
      signedAmount: { money: { value: 1050, currency: 'EUR' }, rule: 'at_most' },
      payment: {
        providerPaymentId: '',
        status: 'charged_back',
        providerStatus: 'CHARGEBACK_REVERSED:true',
        chargebackReversed: true,
      },
    });
    expect(dispute('CHARGEBACK').payment).toEqual({
      providerPaymentId: '',
      status: 'charged_back',
      providerStatus: 'CHARGEBACK:true',
    });
  });

  it.each([
    ['CAPTURE', 'false', 'Capture not possible', 'capture', 'refused'],
    ['CAPTURE_FAILED', 'true', 'Capture Failed', 'capture', 'capture_failed'],
    ['CANCELLATION', 'false', 'Cancel not possible', 'cancel', 'refused'],
  ])(
    '%s success=%s fails the %s it names by its signed pspReference and merchantReference',
    (eventCode, success, reason, type, code) => {
      const [notification] = provider.parseWebhook(
        ctx,
        webhook([
          item({
            eventCode,
            success,
            reason,
            originalReference: 'PSP0000000000001',
            pspReference: 'MOD1',
            amount: { currency: 'EUR', value: 500 },
          }),
        ]),
      );
      expect(notification).toMatchObject({
        paymentId: 'pay_A',
        providerPaymentId: 'PSP0000000000001',
        operation: {
          type,
          status: 'failed',
          providerOperationId: 'MOD1',
          failure: { code, message: `Adyen ${eventCode}: ${reason}` },
        },
      });
    },
  );

  it.each([
    ['REFUND', 'false', 'refused'],
    ['REFUND_FAILED', 'true', 'refund_failed'],
    ['REFUNDED_REVERSED', 'true', 'refunded_reversed'],
  ])('%s success=%s fails the refund its merchantReference names', (eventCode, success, code) => {
    const [notification] = provider.parseWebhook(
      ctx,
      webhook([
        item({
          eventCode,
          success,
          originalReference: 'PSP0000000000001',
          pspReference: 'REF1',
          merchantReference: 're_1',
          amount: { currency: 'EUR', value: 200 },
        }),
      ]),
    );
    expect(notification).toMatchObject({
      refundId: 're_1',
      refund: {
        refundId: 're_1',
        providerRefundId: 'REF1',
        status: 'failed',
        failure: { code },
      },
    });
  });

  it('refuses a body of more items than allowed before checking any signature', async () => {
    await expect(
      provider.verifyWebhook(
        ctx,
        webhook(Array.from({ length: WEBHOOK_MAX_ITEMS + 1 }, () => item())),
      ),
    ).rejects.toThrow(`more than ${WEBHOOK_MAX_ITEMS}`);
  });

  it('reads the ids of an unverified body from its first items only, and nothing from junk', () => {
    const many = webhook(
      Array.from({ length: 200 }, (_, i) => item({ merchantReference: `pay_${i}` })),
    );
    expect(provider.webhookReferences(many, 3)).toEqual([
      { paymentId: 'pay_0', providerPaymentId: 'PL_OTHER' },
      { paymentId: 'pay_1', providerPaymentId: 'PL_OTHER' },
      { paymentId: 'pay_2', providerPaymentId: 'PL_OTHER' },
    ]);
    expect(
      provider.webhookReferences({ headers: {}, rawBody: Buffer.from('not json') }, 3),
    ).toEqual([]);
  });

  it('treats a signed repeat with other additionalData as the same delivery', () => {
    const original = item();
    const replay = structuredClone(original);
    replay.NotificationRequestItem.additionalData.paymentLinkId = 'PL_B';
    expect(provider.webhookDedupeKey(webhook([replay]))).toBe(
      provider.webhookDedupeKey(webhook([original])),
    );
  });
});
