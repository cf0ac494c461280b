import type { Payment } from '../../src/payments/entities/payment.entity';

/**
 * A payment row as the create path stores it, with values that are hard to carry through every
 * driver unchanged (the largest safe integer, JSON with quotes, unicode, a date with
 * milliseconds); `changes` replace some.
 */
export const PAYMENT_ROW_AT = new Date('2026-12-03T07:45:12.345Z');

export function paymentRow(id: string, changes: Partial<Payment> = {}): Payment {
  return {
    id,
    integrationId: 'int_rows',
    status: 'pending',
    amountValue: 9_007_199_254_740_991, // the largest safe integer survives every driver
    currency: 'EUR',
    amountCaptured: 0,
    amountRefunded: 0,
    description: 'Order “42” — ünïcode',
    reference: 'ref-42',
    method: null,
    methodUsed: null,
    captureMode: 'manual',
    customer: { email: 'a@example.com', name: 'A "quoted" name' } as never,
    metadata: { orderId: '42', note: "it's" },
    orderLines: [{ name: 'Socks', quantity: 2, unitAmount: 500, totalAmount: 1000 }] as never,
    billingAddress: null,
    shippingAddress: null,
    expiresAt: PAYMENT_ROW_AT,
    returnUrl: 'https://shop.example/return?x=1&y=2',
    cancelUrl: null,
    checkoutUrl: null,
    providerName: null,
    providerAccountId: null,
    providerPaymentId: null,
    providerTestMode: true,
    routing: { ruleId: null, reason: 'default account', attempts: [] },
    failureCode: null,
    failureMessage: null,
    lastPolledAt: null,
    version: 1,
    createdAt: PAYMENT_ROW_AT,
    updatedAt: PAYMENT_ROW_AT,
    ...changes,
  };
}
