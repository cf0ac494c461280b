import type { CreatePaymentRequest } from '../provider.interface';
import { stripeExpiresAt, stripeMetadata } from './stripe-order-lines';

function request(overrides: Partial<CreatePaymentRequest>): CreatePaymentRequest {
  return {
    paymentId: 'pay_1',
    reference: 'order-1',
    description: 'Order',
    amount: { value: 1050, currency: 'EUR' },
    returnUrl: 'https://shop.example/r',
    cancelUrl: null,
    method: null,
    captureMode: 'automatic',
    customer: null,
    metadata: null,
    ...overrides,
  };
}

const OURS = { paymentserver_payment_id: 'pay_1', reference: 'order-1' };

describe('stripeMetadata', () => {
  it('leaves out the keys Stripe refuses (brackets, over 40 characters, values over 500) and lists them', () => {
    const { metadata, dropped } = stripeMetadata(
      request({
        metadata: {
          orderId: '1042',
          'a[b]': 'x',
          'c]': 'x',
          '[d': 'x',
          ['k'.repeat(41)]: 'x',
          ['k'.repeat(40)]: 'at the limit',
          long: 'v'.repeat(501),
          limit: 'v'.repeat(500),
        },
      }),
      OURS,
    );
    expect(metadata).toEqual({
      orderId: '1042',
      ['k'.repeat(40)]: 'at the limit',
      limit: 'v'.repeat(500),
      ...OURS,
    });
    expect(dropped).toEqual(['a[b]', 'c]', '[d', 'k'.repeat(41), 'long']);
  });

  it('keeps at most 50 keys, ours always among them', () => {
    const shop = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`key${i}`, `${i}`]));
    const { metadata, dropped } = stripeMetadata(request({ metadata: shop }), OURS);
    expect(Object.keys(metadata)).toHaveLength(50);
    expect(metadata).toMatchObject(OURS);
    expect(dropped).toEqual(['key48', 'key49']);
  });

  it('lets our keys win over shop keys of the same name', () => {
    const { metadata, dropped } = stripeMetadata(
      request({ metadata: { reference: 'shop' } }),
      OURS,
    );
    expect(metadata).toEqual(OURS);
    expect(dropped).toEqual(['reference']);
  });
});

describe('stripeExpiresAt', () => {
  const now = Date.UTC(2026, 11, 4, 12, 0, 0, 400);
  const at = (secondsAhead: number, at = now) =>
    stripeExpiresAt(
      request({ createdAt: new Date(now), expiresAt: new Date(now + secondsAhead * 1000) }),
      at,
    );

  it('sends an expiry well inside the window as it is (whole seconds, rounded down)', () => {
    expect(at(3 * 3600)).toBe(Math.floor((now + 3 * 3600_000) / 1000));
  });

  it.each([1800, 1799.5, 1790, 1740])(
    'never sends less than 30 minutes ahead: %s s ahead is moved to 30 minutes and 60 s after creation',
    (ahead) => {
      const sent = at(ahead)!;
      expect(sent - now / 1000).toBeGreaterThanOrEqual(1800);
      expect(sent).toBe(Math.ceil(now / 1000) + 1860);
    },
  );

  it('sends the same expires_at when the create is sent again later (same Idempotency-Key, same parameters)', () => {
    for (const ahead of [1800, 3 * 3600, 86400]) {
      const first = at(ahead, now);
      expect(at(ahead, now + 5_000)).toBe(first);
      expect(at(ahead, now + 20_000)).toBe(first);
    }
  });

  it('a send more than 30 s after the payment’s creation still reaches Stripe at least 30 minutes ahead (its own clock + 30 s)', () => {
    // 1900 s after creation, sent 120 s later: 1780 s ahead of this send, under Stripe’s 1800.
    const later = now + 120_000;
    const sent = at(1900, later)!;
    expect(sent).toBe(Math.ceil(later / 1000) + 1830);
    expect(sent - later / 1000).toBeGreaterThanOrEqual(1800 + 29);
  });

  it.each([0, 10_000, 29_000, 31_000, 45_000, 61_000, 120_000, 300_000, 3_600_000])(
    'sent %i ms after creation, every expiry the connector takes is 30 minutes and more ahead of that send',
    (delay) => {
      const sentAt = now + delay;
      for (let ahead = 1740; ahead <= 6 * 3600; ahead += 7) {
        if ((now + ahead * 1000 - sentAt) / 1000 < 1740) continue; // refused as too near, below
        const sent = at(ahead, sentAt)!;
        expect(sent - sentAt / 1000).toBeGreaterThan(1800 + 29);
        expect(sent).toBeGreaterThanOrEqual(Math.floor(now / 1000) + ahead);
      }
    },
  );

  it('keeps the value of a send within 30 s of the creation for sends up to 30 s later, then moves with the clock', () => {
    const first = at(1800, now);
    expect(at(1800, now + 29_000)).toBe(first);
    expect(at(1800, now + 45_000)).toBe(Math.ceil((now + 45_000) / 1000) + 1830);
  });

  it('keeps the 24-hour end clear of Stripe’s limit', () => {
    expect(at(86400)! - now / 1000).toBeLessThan(86400);
  });

  it.each([1739, 600, 86401])('refuses %s s ahead as not supported', (ahead) => {
    expect(() => at(ahead)).toThrow(expect.objectContaining({ code: 'not_supported' }));
  });

  it('sends nothing without an expiry', () => {
    expect(stripeExpiresAt(request({}), now)).toBeUndefined();
  });
});
