// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, screen } from '@testing-library/react';

// The API client keeps the fetch it finds when it loads: install the fake server first.
const api = await vi.hoisted(async () =>
  (await import('../../test/mock-fetch')).installMockFetch(),
);
const { renderWithProviders } = await import('../../test/render');
const { OpenProblems } = await import('./OpenProblems');

const empty = { body: { data: [], nextCursor: null } };
const webhook = (id: string) => ({ id, status: 'dead' });
const attention = {
  id: 'pay_a',
  status: 'partially_refunded',
  amount: { value: 1050, currency: 'EUR' },
  needsAttention: {
    since: '2026-11-27T10:15:00.000Z',
    reason:
      'refund re_1 of EUR 5.00 is still open at adyen since 2026-11-27T10:15:00.000Z: adyen has no API to look it up',
    operations: [
      {
        type: 'refund',
        id: 're_1',
        stage: 'accepted',
        since: '2026-11-27T10:15:00.000Z',
        why: 'x',
      },
    ],
  },
};

beforeEach(() => {
  api.reset();
  api.on((r) => {
    const { pathname, searchParams } = r.url;
    if (pathname === '/api/v1/admin/payments/totals')
      return { body: { count: searchParams.get('needsAttention') === 'true' ? 1 : 0, data: [] } };
    if (pathname === '/api/v1/admin/provider-webhooks')
      return searchParams.get('status') === 'dead'
        ? { body: { data: [webhook('whk_1'), webhook('whk_2')], nextCursor: null } }
        : empty;
    if (pathname === '/api/v1/admin/payments')
      return searchParams.get('needsAttention') === 'true'
        ? { body: { data: [attention], nextCursor: null } }
        : { body: { data: [{ id: 'pay_b', needsAttention: null }, attention], nextCursor: null } };
    if (pathname.startsWith('/api/v1/admin/')) return empty;
    return undefined;
  });
});
afterEach(() => cleanup());

describe('open problems on the overview', () => {
  it('links dead provider webhooks to the filtered inbox and a payment needing attention to its page', async () => {
    renderWithProviders(<OpenProblems />, { network: true, route: '/' });
    const dead = await screen.findByRole('link', { name: /2 provider webhooks dead/ });
    expect(dead.getAttribute('href')).toBe('/provider-webhooks?status=dead');
    const payment = screen.getByRole('link', { name: /^Payment pay_a \(€10\.50\): 1 open refund/ });
    expect(payment.getAttribute('href')).toBe('/payments/pay_a');
    expect(payment.textContent).toContain('adyen has no API to look it up');
    expect(screen.queryByText(/pay_b/)).toBeNull();
    expect(screen.queryByText(/more payments? needs? attention/)).toBeNull();
    // One filtered page, not a scan of the newest payments per status.
    const read = api.sent.filter((r) => r.url.pathname === '/api/v1/admin/payments');
    expect(read.map((r) => r.url.search)).toEqual(['?needsAttention=true&limit=100']);
  });

  it('reads a contradiction the provider reported as its sentence, linked to the payment', async () => {
    const why =
      'mollie reported paid after the payment was canceled here: the customer may have paid; check at mollie and refund there';
    api.reset();
    api.on((r) => {
      const { pathname } = r.url;
      if (pathname === '/api/v1/admin/payments/totals') return { body: { count: 1, data: [] } };
      if (pathname === '/api/v1/admin/payments') {
        const since = '2026-11-28T09:00:00.000Z';
        const operations = [{ type: 'contradiction', id: 'pay_c', stage: 'reported', since, why }];
        const contradicted = {
          id: 'pay_c',
          status: 'canceled',
          amount: { value: 2000, currency: 'EUR' },
          needsAttention: { since, reason: why, operations },
        };
        return { body: { data: [contradicted], nextCursor: null } };
      }
      if (pathname.startsWith('/api/v1/admin/')) return empty;
      return undefined;
    });
    renderWithProviders(<OpenProblems />, { network: true, route: '/' });
    const link = await screen.findByRole('link', { name: `Payment pay_c (€20.00): ${why}` });
    expect(link.getAttribute('href')).toBe('/payments/pay_c');
  });

  it('says so when a check could not run, and still shows what the others found', async () => {
    api.reset();
    api.on((r) =>
      r.url.pathname === '/api/v1/admin/provider-webhooks'
        ? { status: 500, body: { status: 500, title: 'Internal Server Error' } }
        : r.url.pathname === '/api/v1/admin/payments/totals'
          ? { body: { count: 3, data: [] } }
          : r.url.pathname.startsWith('/api/v1/admin/')
            ? empty
            : undefined,
    );
    renderWithProviders(<OpenProblems />, { network: true, route: '/' });
    await screen.findByTestId('checks-failed');
    expect(
      screen.getByRole('link', { name: '3 payments pending for more than a day' }),
    ).toBeTruthy();
  });
});
