// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ProviderAccount } from '../../api/types';

// The API client keeps the fetch it finds when it loads: install the fake server first.
const api = await vi.hoisted(async () =>
  (await import('../../test/mock-fetch')).installMockFetch(),
);
const { renderWithProviders } = await import('../../test/render');
const { ProviderAccountForm } = await import('./ProviderAccountForm');
const { CATALOG } = await import('../../test/provider-catalog.fixture');

const account: ProviderAccount = {
  id: 'pa_1',
  provider: 'test',
  name: 'Declining PSP',
  settings: {},
  baseUrl: null,
  integrationIds: null,
  testMode: true,
  enabled: true,
  webhookUrl: 'https://pay.example.com/webhooks/test/pa_1',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

const patches = () => api.sent.filter((r) => r.method === 'PATCH');
const picker = () =>
  screen.getByLabelText<HTMLInputElement>('Integrations that may use this account', {
    selector: 'input',
  });

beforeEach(() => {
  api.reset();
  api.on((r) =>
    r.url.pathname === '/api/v1/admin/providers' ? { body: { data: CATALOG } } : undefined,
  );
  api.on((r) =>
    r.url.pathname === '/api/v1/admin/integrations'
      ? {
          body: {
            data: [
              { id: 'int_shop', name: 'Web shop' },
              { id: 'int_pos', name: 'Point of sale' },
            ],
            nextCursor: null,
          },
        }
      : undefined,
  );
});
afterEach(() => cleanup());

describe('the allowed integrations of a provider account', () => {
  it('limits an account to the integrations picked, and opens it to all again when emptied', async () => {
    api.on((r) =>
      r.method === 'PATCH' ? { body: { ...account, integrationIds: ['int_pos'] } } : undefined,
    );
    const done = vi.fn();
    const { unmount } = renderWithProviders(
      <ProviderAccountForm account={account} onDone={done} />,
      { network: true },
    );
    await waitFor(() => expect(picker().placeholder).toBe('Every integration'));
    await userEvent.click(picker());
    await userEvent.click(await screen.findByRole('option', { name: 'Point of sale' }));
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(done).toHaveBeenCalled());
    expect(patches().map((r) => r.body)).toEqual([{ integrationIds: ['int_pos'] }]);
    unmount();

    api.reset();
    api.on((r) => (r.method === 'PATCH' ? { body: account } : undefined));
    api.on((r) =>
      r.url.pathname === '/api/v1/admin/integrations'
        ? { body: { data: [{ id: 'int_pos', name: 'Point of sale' }], nextCursor: null } }
        : undefined,
    );
    renderWithProviders(
      <ProviderAccountForm account={{ ...account, integrationIds: ['int_pos'] }} onDone={done} />,
      { network: true },
    );
    await waitFor(() => expect(picker().placeholder).toBe(''));
    // Backspace in the picker removes the last integration chosen: none left, every integration.
    await userEvent.type(picker(), '{Backspace}');
    await waitFor(() => expect(picker().placeholder).toBe('Every integration'));
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(patches()).toHaveLength(1));
    expect(patches()[0]!.body).toEqual({ integrationIds: null });
  });

  it("shows the server's refusal to narrow an account that rules still use under the field", async () => {
    api.on((r) =>
      r.method === 'PATCH'
        ? {
            status: 409,
            body: {
              status: 409,
              title: 'Conflict',
              code: 'provider_account_in_use',
              detail:
                'integrationIds would take provider account pa_1 from integrations that still use it: routing rule rr_1 ("EUR") in targets[1]. Change those first.',
            },
          }
        : undefined,
    );
    renderWithProviders(<ProviderAccountForm account={account} onDone={() => {}} />, {
      network: true,
    });
    await userEvent.click(picker());
    await userEvent.click(await screen.findByRole('option', { name: 'Web shop' }));
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText(/still use it: routing rule rr_1/);
    expect(picker().getAttribute('aria-invalid')).toBe('true');
  });

  it('sends no integrationIds for a new account open to every integration', async () => {
    api.on((r) => (r.method === 'POST' ? { status: 201, body: account } : undefined));
    renderWithProviders(<ProviderAccountForm onDone={() => {}} />, { network: true });
    const provider = screen.getByLabelText<HTMLInputElement>(/^Provider/, { selector: 'input' });
    await waitFor(() => expect(provider.disabled).toBe(false));
    await userEvent.click(provider);
    await userEvent.click(await screen.findByRole('option', { name: 'Test provider' }));
    await userEvent.type(screen.getByLabelText(/^Name/), 'Spare');
    await userEvent.click(screen.getByRole('button', { name: 'Add account' }));
    await waitFor(() => expect(api.sent.some((r) => r.method === 'POST')).toBe(true));
    expect(api.sent.find((r) => r.method === 'POST')!.body).not.toHaveProperty('integrationIds');
  });
});
