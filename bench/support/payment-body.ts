/** The create-payment request every target gets: a typical shop call, unique per request. */
export function paymentBody(i: number): string {
  return JSON.stringify({
    amount: { value: 1050 + (i % 100), currency: 'EUR' },
    description: `Order #${i}`,
    reference: `bench-${i}`,
    returnUrl: 'https://shop.example/orders/return',
    customer: { email: 'jane@example.com', country: 'NL' },
    metadata: { orderId: String(i) },
  });
}

export const JSON_HEADERS = { 'content-type': 'application/json' };
