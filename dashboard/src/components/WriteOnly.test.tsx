// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, screen } from '@testing-library/react';

// The API client keeps the fetch it finds when it loads: install the fake server first.
const api = await vi.hoisted(async () => (await import('../test/mock-fetch')).installMockFetch());
const { renderWithProviders } = await import('../test/render');
const { default: ProviderAccountsPage } =
  await import('../features/providers/ProviderAccountsPage');

const account = {
  id: 'pa_1',
  provider: 'mollie',
  name: 'Mollie NL',
  settings: {},
  baseUrl: null,
  integrationIds: null,
  testMode: true,
  enabled: true,
  webhookUrl: 'https://pay.example.com/webhooks/mollie/pa_1',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

function serve(me: { status?: number; body: unknown }) {
  api.on((r) => {
    if (r.url.pathname === '/api/v1/admin/me') return me;
    if (r.url.pathname === '/api/v1/admin/provider-accounts')
      return { body: { data: [account], nextCursor: null } };
    if (r.url.pathname === '/api/v1/admin/integrations')
      return { body: { data: [], nextCursor: null } };
    return undefined;
  });
}

beforeEach(() => api.reset());
afterEach(() => cleanup());

describe('read-only users', () => {
  it('see no write controls when the server says canWrite is false', async () => {
    serve({ body: { canWrite: false } });
    renderWithProviders(<ProviderAccountsPage />, { network: true, route: '/provider-accounts' });
    await screen.findByRole('heading', { name: 'Mollie NL' });
    await vi.waitFor(() =>
      expect(api.sent.some((r) => r.url.pathname === '/api/v1/admin/me')).toBe(true),
    );
    await vi.waitFor(() => expect(screen.queryByRole('button', { name: 'Edit' })).toBeNull());
    expect(screen.queryByRole('button', { name: 'Add account' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Delete…' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Test connection' })).toBeNull();
    // Reading stays: the webhook URL can still be copied.
    expect(screen.getByRole('button', { name: 'Copy webhook URL' })).toBeTruthy();
  });

  it('see no write control flash up while the server has not yet said whether they may write', async () => {
    let answerMe: (answer: { body: unknown }) => void = () => {};
    const me = new Promise<{ body: unknown }>((resolve) => (answerMe = resolve));
    api.on((r) => (r.url.pathname === '/api/v1/admin/me' ? me : undefined));
    serve({ body: {} });
    renderWithProviders(<ProviderAccountsPage />, { network: true, route: '/provider-accounts' });
    await screen.findByRole('heading', { name: 'Mollie NL' });
    expect(screen.queryByRole('button', { name: 'Edit' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Add account' })).toBeNull();
    answerMe({ body: { canWrite: true } });
    await screen.findByRole('button', { name: 'Edit' });
    expect(screen.getByRole('button', { name: 'Add account' })).toBeTruthy();
  });

  it('keep every control on a server without GET /api/v1/admin/me (404)', async () => {
    serve({ status: 404, body: { status: 404, title: 'Not Found' } });
    renderWithProviders(<ProviderAccountsPage />, { network: true, route: '/provider-accounts' });
    await screen.findByRole('button', { name: 'Edit' });
    expect(screen.getByRole('button', { name: 'Add account' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Test connection' })).toBeTruthy();
  });
});
