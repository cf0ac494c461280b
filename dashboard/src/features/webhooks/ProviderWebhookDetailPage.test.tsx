// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

// The API client keeps the fetch it finds when it loads: install the fake server first.
const api = await vi.hoisted(async () =>
  (await import('../../test/mock-fetch')).installMockFetch(),
);
const { renderWithProviders } = await import('../../test/render');
const { default: ProviderWebhookDetailPage } = await import('./ProviderWebhookDetailPage');

const dead = {
  id: 'whk_1',
  provider: 'adyen',
  providerAccountId: 'pa_1',
  status: 'dead',
  verified: true,
  attempts: 21,
  nextAttemptAt: null,
  error: 'Adyen: HTTP 503',
  paymentId: 'pay_1',
  receivedAt: '2026-11-27T10:15:00.000Z',
  processedAt: null,
  lastAttemptAt: '2026-11-28T10:15:00.000Z',
  headers: { 'content-type': 'application/json', 'x-adyen-hmac': '[REDACTED]' },
  body: '{"live":"false","notificationItems":[{"NotificationRequestItem":{"additionalData":{"hmacSignature":"[REDACTED]"}}}]}',
};

function render() {
  return renderWithProviders(<ProviderWebhookDetailPage />, {
    network: true,
    route: '/provider-webhooks/whk_1',
    path: '/provider-webhooks/:id',
  });
}

beforeEach(() => {
  api.reset();
  api.on((r) =>
    r.path.startsWith('/api/v1/admin/provider-accounts')
      ? { body: { data: [], nextCursor: null } }
      : undefined,
  );
});
afterEach(() => cleanup());

describe('a provider webhook', () => {
  it('shows its body indented and its headers with the masked values', async () => {
    api.on((r) =>
      r.method === 'GET' && r.path === '/api/v1/admin/provider-webhooks/whk_1'
        ? { body: dead }
        : undefined,
    );
    render();
    const body = await screen.findByTestId('webhook-body');
    expect(body.textContent).toContain('"hmacSignature": "[REDACTED]"');
    const headers = screen.getByRole('table', { name: 'Headers' });
    expect(within(headers).getByText('x-adyen-hmac')).toBeTruthy();
    expect(within(headers).getByText('[REDACTED]')).toBeTruthy();
    expect(screen.getByTestId('webhook-error').textContent).toContain('Adyen: HTTP 503');
    expect(screen.getByRole('link', { name: 'pay_1' }).getAttribute('href')).toBe(
      '/payments/pay_1',
    );
  });

  it('replays only after a confirmation, then says how it is now', async () => {
    api.on((r) =>
      r.method === 'GET' && r.path === '/api/v1/admin/provider-webhooks/whk_1'
        ? { body: dead }
        : undefined,
    );
    api.on((r) =>
      r.method === 'POST' && r.path === '/api/v1/admin/provider-webhooks/whk_1/replay'
        ? { body: { ...dead, status: 'processed', attempts: 22, error: null } }
        : undefined,
    );
    render();
    await userEvent.click(await screen.findByRole('button', { name: 'Replay…' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).toContain('Process whk_1 (dead) again?');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(api.sent.filter((r) => r.method === 'POST')).toEqual([]);

    await userEvent.click(screen.getByRole('button', { name: 'Replay…' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Replay webhook' }));
    await screen.findByText('Replayed whk_1: processed.');
    expect(api.sent.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual([
      '/api/v1/admin/provider-webhooks/whk_1/replay',
    ]);
  });

  it('shows the problem when the replay is refused, and a webhook still failing as not applied', async () => {
    api.on((r) =>
      r.method === 'GET' && r.path === '/api/v1/admin/provider-webhooks/whk_1'
        ? { body: dead }
        : undefined,
    );
    let answer: { status?: number; body: unknown } = {
      status: 409,
      body: {
        status: 409,
        title: 'Conflict',
        code: 'webhook_delivery_busy',
        detail: 'It is being processed right now',
      },
    };
    api.on((r) => (r.method === 'POST' ? answer : undefined));
    render();
    await userEvent.click(await screen.findByRole('button', { name: 'Replay…' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Replay webhook' }));
    await screen.findByText('It is being processed right now');

    answer = { body: { ...dead, status: 'failed', error: 'Adyen: HTTP 500' } };
    await userEvent.click(screen.getByRole('button', { name: 'Replay…' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Replay webhook' }));
    await screen.findByText('Replayed whk_1: still failed (Adyen: HTTP 500).');
    expect(screen.getByText('Replayed, but not applied')).toBeTruthy();
  });

  it('shows an error with a retry when the webhook cannot be loaded', async () => {
    api.on((r) =>
      r.path === '/api/v1/admin/provider-webhooks/whk_1'
        ? {
            status: 404,
            body: {
              status: 404,
              title: 'Not Found',
              detail: 'Webhook delivery whk_1 not found',
              correlationId: 'c-1',
            },
          }
        : undefined,
    );
    render();
    await screen.findByText('Webhook delivery whk_1 not found');
    expect(screen.getByText('c-1')).toBeTruthy();
    await waitFor(() => expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy());
  });
});
