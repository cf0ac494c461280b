// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

// The API client keeps the fetch it finds when it loads: install the fake server first.
const api = await vi.hoisted(async () =>
  (await import('../../test/mock-fetch')).installMockFetch(),
);
const { renderWithProviders } = await import('../../test/render');
const { default: ProviderWebhooksPage } = await import('./ProviderWebhooksPage');

const row = (id: string, status = 'processed') => ({
  id,
  provider: 'mollie',
  providerAccountId: 'pa_1',
  status,
  verified: false,
  attempts: 1,
  nextAttemptAt: null,
  error: status === 'processed' ? null : 'Mollie: HTTP 503',
  paymentId: 'pay_1',
  receivedAt: '2026-11-27T10:15:00.000Z',
  processedAt: null,
});

const render = (route = '/provider-webhooks') =>
  renderWithProviders(<ProviderWebhooksPage />, {
    network: true,
    route,
    path: '/provider-webhooks',
  });
const inboxRequests = () =>
  api.sent.filter((r) => r.url.pathname === '/api/v1/admin/provider-webhooks');

beforeEach(() => {
  api.reset();
  api.on((r) =>
    r.url.pathname === '/api/v1/admin/provider-accounts'
      ? {
          body: {
            data: [{ id: 'pa_1', name: 'Mollie NL', provider: 'mollie' }],
            nextCursor: null,
          },
        }
      : undefined,
  );
});
afterEach(() => cleanup());

describe('the provider webhook inbox', () => {
  it('lists with the filters of the URL and pages with the cursor', async () => {
    api.on((r) => {
      if (r.url.pathname !== '/api/v1/admin/provider-webhooks') return undefined;
      return r.url.searchParams.get('cursor') === 'next'
        ? { body: { data: [row('whk_3', 'dead')], nextCursor: null } }
        : { body: { data: [row('whk_1', 'dead'), row('whk_2', 'dead')], nextCursor: 'next' } };
    });
    render('/provider-webhooks?status=dead&providerAccountId=pa_1');
    const table = await screen.findByRole('table', { name: 'Provider webhooks' });
    expect(within(table).getAllByRole('link', { name: /^Webhook whk_/ })).toHaveLength(2);
    expect(within(table).getAllByText('Mollie NL', { exact: false })).toHaveLength(2);
    expect(Object.fromEntries(inboxRequests()[0]!.url.searchParams)).toEqual({
      limit: '25',
      status: 'dead',
      providerAccountId: 'pa_1',
    });

    await userEvent.click(screen.getByRole('button', { name: 'Older' }));
    await screen.findByRole('link', { name: 'Webhook whk_3' });
    expect(screen.getByText('Page 2')).toBeTruthy();
    expect(inboxRequests().at(-1)!.url.searchParams.get('cursor')).toBe('next');
    expect((screen.getByRole('button', { name: 'Older' }) as HTMLButtonElement).disabled).toBe(
      true,
    );
  });

  it('checks the payment id before asking, and says when nothing matches', async () => {
    api.on((r) =>
      r.url.pathname === '/api/v1/admin/provider-webhooks'
        ? { body: { data: [], nextCursor: null } }
        : undefined,
    );
    render();
    await screen.findByText('No provider webhooks yet');
    const sent = inboxRequests().length;
    await userEvent.type(screen.getByLabelText('Payment id'), 'order-1');
    await userEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    await screen.findByText('A payment id starts with pay_');
    expect(inboxRequests()).toHaveLength(sent);

    await userEvent.clear(screen.getByLabelText('Payment id'));
    await userEvent.type(screen.getByLabelText('Payment id'), 'pay_9');
    await userEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    await screen.findByText('No webhooks match these filters');
    expect(inboxRequests().at(-1)!.url.searchParams.get('paymentId')).toBe('pay_9');
  });

  it("shows the server's problem with a retry", async () => {
    api.on((r) =>
      r.url.pathname === '/api/v1/admin/provider-webhooks'
        ? {
            status: 400,
            body: {
              status: 400,
              title: 'Bad Request',
              detail: 'cursor is not a valid cursor',
              errors: [{ field: 'cursor', message: 'is not a valid cursor' }],
            },
          }
        : undefined,
    );
    render();
    await screen.findByText('cursor is not a valid cursor');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });
});
