import type { OperationRequest, ProviderCallContext } from '../provider.interface';
import type { HttpRequest } from '../provider-http.client';
import { MultisafepayProvider } from './multisafepay.provider';
import { recordingContext } from '../../../test/support/provider-context';
import { isRefusal } from '../../payments/operations/provider-outcome';

const CART = [
  {
    name: 'LEGO 4440',
    unit_price: 8.2644628099,
    quantity: 2,
    merchant_item_id: '5702016116977',
    tax_table_selector: 'VAT21.00',
  },
  {
    name: 'Shipping',
    unit_price: 5.95,
    quantity: 1,
    merchant_item_id: 'msp-shipping',
    tax_table_selector: 'none',
  },
];

const TAX_TABLES = {
  tax_tables: {
    default: { shipping_taxed: false, rate: 0 },
    alternate: [
      { name: 'none', standalone: true, rules: [{ rate: 0 }] },
      { name: 'VAT21.00', standalone: true, rules: [{ rate: 0.21 }] },
    ],
  },
};

const KLARNA_ORDER = {
  order_id: 'pay_1',
  transaction_id: 4000001,
  status: 'shipped',
  financial_status: 'completed',
  amount: 2595,
  currency: 'EUR',
  payment_details: { type: 'KLARNA' },
  shopping_cart: { items: CART },
  checkout_options: TAX_TABLES,
};

const refund: OperationRequest = {
  id: 're_1',
  paymentId: 'pay_1',
  providerPaymentId: 'pay_1',
  providerReference: null,
  amount: { value: 1595, currency: 'EUR' },
  idempotencyKey: 're_1',
  providerOperationId: null,
  reason: 'damaged',
};

/** A context whose MultiSafepay answers GET with `orders[id]` (404, 1006 if none) and POST with `created`. */
function context(orders: Record<string, object>, seen: HttpRequest[], created: object) {
  const ctx = recordingContext(
    { provider: 'multisafepay', credentials: { apiKey: 'k'.repeat(20) } },
    () => undefined,
  );
  const request = async (request: HttpRequest) => {
    seen.push(request);
    const order = orders[decodeURIComponent(request.url.split('/orders/')[1] ?? '')];
    const [status, body] =
      request.method !== 'GET'
        ? [200, { success: true, data: created }]
        : order
          ? [200, { success: true, data: order }]
          : [404, { success: false, data: {}, error_code: 1006, error_info: 'Invalid' }];
    const text = JSON.stringify(body);
    return { status, headers: new Headers(), text, json: () => JSON.parse(text) };
  };
  return { ...ctx, http: { request } as unknown as ProviderCallContext['http'] };
}

/** Refunds `op` of an order MultiSafepay shows as `order`, recording the requests in `seen`. */
function refundOf(
  order: object,
  seen: HttpRequest[],
  op: OperationRequest = refund,
  created: object = { transaction_id: 4000001, refund_id: 7 },
) {
  return new MultisafepayProvider().refund(context({ pay_1: order }, seen, created), op);
}

const duplicate = (item: (typeof CART)[number], quantity: number) => ({ ...item, quantity });

describe('MultisafepayProvider refund', () => {
  it('refunds a Klarna order through its cart: every item as it is, plus the refunded ones duplicated with a negative quantity', async () => {
    const seen: HttpRequest[] = [];
    expect(await refundOf(KLARNA_ORDER, seen)).toEqual({
      providerRefundId: '7',
      status: 'pending',
    });
    const [get, post] = seen;
    expect(get.url).toBe('https://testapi.multisafepay.com/v1/json/orders/pay_1');
    expect(post.url).toBe('https://testapi.multisafepay.com/v1/json/orders/pay_1/refunds');
    // 1595 = one LEGO (10.00 with VAT) and the shipping (5.95).
    expect(JSON.parse(post.body!)).toEqual({
      checkout_data: { items: [...CART, duplicate(CART[0], -1), duplicate(CART[1], -1)] },
      description: 're_1 damaged',
      refund_order_id: 're_1',
    });
  });

  it('refunds every item of a Klarna order for its whole amount, tax tables or not', async () => {
    const seen: HttpRequest[] = [];
    const { checkout_options: _omitted, ...bare } = KLARNA_ORDER;
    void _omitted;
    await refundOf(bare, seen, { ...refund, amount: { value: 2595, currency: 'EUR' } });
    expect(JSON.parse(seen[1].body!).checkout_data.items).toEqual([
      ...CART,
      duplicate(CART[0], -2),
      duplicate(CART[1], -1),
    ]);
  });

  it.each([
    ['an amount no whole items come to', KLARNA_ORDER, 500],
    ['a partial amount without the tax tables', { ...KLARNA_ORDER, checkout_options: null }, 1000],
  ])(
    'refuses a Klarna refund of %s before sending anything (not_supported)',
    async (_label, order, value) => {
      const seen: HttpRequest[] = [];
      await expect(
        refundOf(order, seen, { ...refund, amount: { value, currency: 'EUR' } }),
      ).rejects.toMatchObject({
        code: 'not_supported',
        message: expect.stringContaining('whole items'),
      });
      expect(seen.map((r) => r.method)).toEqual(['GET']);
    },
  );

  it('refunds any other order by its amount, with our refund id as refund_order_id', async () => {
    const seen: HttpRequest[] = [];
    await refundOf({ ...KLARNA_ORDER, payment_details: { type: 'VISA' } }, seen);
    const [, post] = seen;
    expect(JSON.parse(post.body!)).toEqual({
      currency: 'EUR',
      amount: 1595,
      description: 're_1 damaged',
      refund_order_id: 're_1',
    });
  });

  it("never takes the answer's transaction_id (the original order's) for the refund's id", async () => {
    const seen: HttpRequest[] = [];
    // examples/responses/refundOrder.json: order_id and transaction_id only.
    const result = await refundOf(
      { ...KLARNA_ORDER, payment_details: { type: 'VISA' } },
      seen,
      refund,
      {
        order_id: 'pay_1',
        transaction_id: 4000001,
      },
    );
    expect(result.providerRefundId).not.toBe('4000001');
    expect(result.providerRefundId).toBe('re_1'); // its refund order id at MultiSafepay
  });

  it('refuses a Klarna order without a shopping cart before sending a refund', async () => {
    const seen: HttpRequest[] = [];
    await expect(refundOf({ ...KLARNA_ORDER, shopping_cart: null }, seen)).rejects.toMatchObject({
      code: 'not_supported',
      message: expect.stringContaining('shopping cart'),
    });
    expect(seen.map((r) => r.method)).toEqual(['GET']);
  });
});

describe('MultisafepayProvider getRefund', () => {
  const paid = { ...KLARNA_ORDER, payment_details: { type: 'VISA' } };
  const lookup = (orders: Record<string, object>, op: Partial<OperationRequest> = {}) =>
    new MultisafepayProvider().getRefund(context(orders, [], {}), { ...refund, ...op });

  it('finds the refund by its refund_order_id, whatever MultiSafepay wrote as its description', async () => {
    const related = {
      transaction_id: 4000002,
      amount: 1595,
      status: 'reserved',
      type: 'refund',
      refund_order_id: 're_1',
      description: 'Refund order re_1 for Shop',
    };
    expect(await lookup({ pay_1: { ...paid, related_transactions: [related] } })).toEqual({
      providerRefundId: '4000002',
      refundId: 're_1',
      status: 'pending',
      providerStatus: 'reserved',
      amount: 1595,
    });
  });

  it("finds it as its own order (GET /orders/{refund_order_id}) when the order's list does not show it", async () => {
    const own = {
      order_id: 're_1',
      transaction_id: 4000002,
      status: 'completed',
      amount: 1595,
      currency: 'EUR',
    };
    expect(
      await lookup({ pay_1: { ...paid, related_transactions: null }, re_1: own }),
    ).toMatchObject({ providerRefundId: '4000002', refundId: 're_1', status: 'succeeded' });
    expect(await lookup({ pay_1: { ...paid, related_transactions: null } })).toBeNull();
  });

  it('still finds one by our id leading its description', async () => {
    const related = {
      transaction_id: 5,
      amount: 1595,
      status: 'completed',
      description: 're_1 damaged',
    };
    expect(await lookup({ pay_1: { ...paid, related_transactions: [related] } })).toMatchObject({
      refundId: 're_1',
      status: 'succeeded',
    });
  });
});

describe('MultisafepayProvider cancel of a manual-capture authorization', () => {
  const authorization = {
    order_id: 'pay_1',
    transaction_id: 4000001,
    status: 'completed',
    financial_status: 'initialized',
    amount: 1050,
    currency: 'EUR',
    payment_details: { type: 'VISA', capture: 'manual', capture_remain: 1050 },
    related_transactions: [] as object[],
  };
  const cancelOp: OperationRequest = {
    ...refund,
    id: 'op_1',
    amount: { value: 1050, currency: 'EUR' },
  };
  const captureOf = (amount: number) => ({
    transaction_id: 4000002,
    amount,
    status: 'completed',
    type: 'capture',
    order_id: 'msp-capture-4000002',
  });
  const cancel = (order: object, seen: HttpRequest[]) =>
    new MultisafepayProvider().cancel(context({ pay_1: order }, seen, {}), cancelOp);

  it('releases an authorization with nothing captured (PATCH /capture/{id})', async () => {
    const seen: HttpRequest[] = [];
    expect(await cancel(authorization, seen)).toEqual({ status: 'succeeded' });
    expect(seen.map((r) => `${r.method} ${r.url.split('/v1/json')[1]}`)).toEqual([
      'GET /orders/pay_1',
      'PATCH /capture/pay_1',
    ]);
  });

  it.each([
    [
      'captured in part in the dashboard (capture_remain 350, statuses unchanged)',
      {
        ...authorization,
        payment_details: { ...authorization.payment_details, capture_remain: 350 },
        related_transactions: [captureOf(700)],
      },
      '700 of 1050 captured',
    ],
    [
      'captured whole, transaction still initialized (capture_remain 0)',
      {
        ...authorization,
        payment_details: { ...authorization.payment_details, capture_remain: 0 },
      },
      '1050 of 1050 captured',
    ],
    [
      'captured whole (completed/completed)',
      {
        ...authorization,
        financial_status: 'completed',
        payment_details: { ...authorization.payment_details, capture_remain: 0 },
        related_transactions: [captureOf(1050)],
      },
      '1050 of 1050 captured',
    ],
    [
      'showing a capture among its related transactions only',
      { ...authorization, related_transactions: [captureOf(700)] },
      'related transactions',
    ],
  ])('refuses one %s: not_supported, nothing sent', async (_label, order, detail) => {
    const seen: HttpRequest[] = [];
    const refused = await cancel(order, seen).catch((error: unknown) => error);
    expect(refused).toMatchObject({
      code: 'not_supported',
      retryable: false,
      message: expect.stringContaining(detail),
    });
    expect(isRefusal(refused)).toBe(true);
    expect(seen.map((r) => r.method)).toEqual(['GET']);
  });

  it('getCancellation: a captured order was not canceled, even when the rest was released (void)', async () => {
    const lookup = (order: object) =>
      new MultisafepayProvider().getCancellation(context({ pay_1: order }, [], {}), cancelOp);
    const partial = {
      ...authorization,
      payment_details: { ...authorization.payment_details, capture_remain: 350 },
      related_transactions: [captureOf(700)],
    };
    expect(await lookup(partial)).toMatchObject({
      status: 'failed',
      failure: { code: 'not_cancelable' },
    });
    expect(
      await lookup({
        ...partial,
        status: 'void',
        financial_status: 'void',
        payment_details: { ...partial.payment_details, capture_remain: 0 },
      }),
    ).toMatchObject({ status: 'failed', failure: { code: 'not_cancelable' } });
    // Nothing captured: released is canceled; still authorized is not done yet.
    expect(
      await lookup({
        ...authorization,
        status: 'void',
        financial_status: 'void',
        payment_details: { ...authorization.payment_details, capture_remain: 0 },
      }),
    ).toMatchObject({ status: 'succeeded' });
    expect(await lookup(authorization)).toBeNull();
  });
});

describe('MultisafepayProvider createPayment delivery', () => {
  const ADDRESS = {
    givenName: 'Jane',
    familyName: 'Doe',
    email: 'jane@example.com',
    streetAndNumber: 'Keizersgracht 126',
    postalCode: '1015 CW',
    city: 'Amsterdam',
    country: 'NL',
  };
  const request = {
    paymentId: 'pay_1',
    amount: { value: 2495, currency: 'EUR' },
    description: 'Order',
    reference: 'r1',
    returnUrl: 'https://shop.example/r',
    cancelUrl: null,
    method: 'klarna' as const,
    captureMode: 'automatic' as const,
    customer: null,
    metadata: null,
    billingAddress: ADDRESS,
  };
  const sent = async (overrides: object) => {
    const seen: HttpRequest[] = [];
    await new MultisafepayProvider().createPayment(
      context({}, seen, { order_id: 'pay_1', payment_url: 'https://pay' }),
      { ...request, ...overrides },
    );
    return JSON.parse(seen[0].body!);
  };
  const billingDelivery = {
    first_name: 'Jane',
    last_name: 'Doe',
    address1: 'Keizersgracht',
    house_number: '126',
    zip_code: '1015 CW',
    city: 'Amsterdam',
    country: 'NL',
    email: 'jane@example.com',
  };

  it('Klarna without a shipping address: delivery is the billing address, with its email (BNPL.yaml, Delivery.yaml)', async () => {
    expect((await sent({})).delivery).toEqual(billingDelivery);
  });

  it("Klarna: an address without an email takes the customer's", async () => {
    const body = await sent({
      billingAddress: { ...ADDRESS, email: undefined },
      customer: { email: 'buyer@example.com' },
    });
    expect(body.delivery).toEqual({ ...billingDelivery, email: 'buyer@example.com' });
    const shipped = await sent({
      shippingAddress: { ...ADDRESS, givenName: 'John', email: undefined },
      customer: { email: 'buyer@example.com' },
    });
    expect(shipped.delivery).toMatchObject({ first_name: 'John', email: 'buyer@example.com' });
  });

  it('another method without a shipping address sends no delivery', async () => {
    expect((await sent({ method: 'ideal' })).delivery).toBeUndefined();
    expect((await sent({ method: null })).delivery).toBeUndefined();
  });
});
