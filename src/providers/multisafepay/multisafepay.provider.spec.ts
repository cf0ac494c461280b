import type { OperationRequest } from '../provider.interface';
import type { HttpRequest } from '../provider-http.client';
import { MultisafepayProvider } from './multisafepay.provider';
import { recordingContext } from '../../../test/support/provider-context';

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

const KLARNA_ORDER = {
  order_id: 'pay_1',
  status: 'shipped',
  financial_status: 'completed',
  amount: 2595,
  currency: 'EUR',
  payment_details: { type: 'KLARNA' },
  shopping_cart: { items: CART },
};

const refund: OperationRequest = {
  id: 're_1',
  paymentId: 'pay_1',
  providerPaymentId: 'pay_1',
  providerReference: null,
  amount: { value: 1495, currency: 'EUR' },
  idempotencyKey: 're_1',
  providerOperationId: null,
  reason: 'damaged',
};

/** Refunds `refund` of an order MultiSafepay shows as `order`, recording the requests in `seen`. */
function refundOf(order: object, seen: HttpRequest[]) {
  const ctx = recordingContext(
    { provider: 'multisafepay', credentials: { apiKey: 'k'.repeat(20) } },
    (request) => ({
      success: true,
      data: request.method === 'GET' ? order : { transaction_id: 7, refund_id: 7 },
    }),
    seen,
  );
  return new MultisafepayProvider().refund(ctx, refund);
}

describe('MultisafepayProvider refund', () => {
  it('refunds a Klarna order through its cart: every item as it is, plus minus the amount untaxed', async () => {
    const seen: HttpRequest[] = [];
    expect(await refundOf(KLARNA_ORDER, seen)).toEqual({
      providerRefundId: '7',
      status: 'pending',
    });
    const [get, post] = seen;
    expect(get.url).toBe('https://testapi.multisafepay.com/v1/json/orders/pay_1');
    expect(post.url).toBe('https://testapi.multisafepay.com/v1/json/orders/pay_1/refunds');
    expect(JSON.parse(post.body!)).toEqual({
      checkout_data: {
        items: [
          ...CART,
          {
            name: 'Refund',
            unit_price: -14.95,
            quantity: 1,
            merchant_item_id: 're_1',
            tax_table_selector: 'none',
          },
        ],
      },
      description: 're_1 damaged',
    });
  });

  it('refunds any other order by its amount', async () => {
    const seen: HttpRequest[] = [];
    await refundOf({ ...KLARNA_ORDER, payment_details: { type: 'VISA' } }, seen);
    const [, post] = seen;
    expect(JSON.parse(post.body!)).toEqual({
      currency: 'EUR',
      amount: 1495,
      description: 're_1 damaged',
    });
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
