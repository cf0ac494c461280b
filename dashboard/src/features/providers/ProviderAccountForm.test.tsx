// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ProviderAccount } from '../../api/types';

// The API client keeps the fetch it finds when it loads: install the fake server first, so
// that "before any request" is checked against what was really sent.
const api = await vi.hoisted(async () =>
  (await import('../../test/mock-fetch')).installMockFetch(),
);
const { renderWithProviders } = await import('../../test/render');
const { CATALOG } = await import('../../test/provider-catalog.fixture');
const { ProviderAccountForm } = await import('./ProviderAccountForm');

/** The server's catalog (GET /api/v1/admin/providers), from which the form is drawn. */
function serveCatalog() {
  api.on((r) =>
    r.method === 'GET' && r.url.pathname === '/api/v1/admin/providers'
      ? { body: { data: CATALOG } }
      : undefined,
  );
}

afterEach(() => {
  cleanup();
  api.reset();
});

/** The provider select, once the catalog has loaded (it is disabled until then). */
async function providerSelect(): Promise<HTMLInputElement> {
  const select = screen.getByLabelText<HTMLInputElement>(/^Provider/, { selector: 'input' });
  await waitFor(() => expect(select.disabled).toBe(false));
  return select;
}

async function chooseProvider(label: string) {
  await userEvent.click(await providerSelect());
  await userEvent.click(await screen.findByRole('option', { name: label }));
}

describe('ProviderAccountForm', () => {
  it("offers the server's providers and draws one field per declared credential, secrets as password fields", async () => {
    serveCatalog();
    renderWithProviders(<ProviderAccountForm onDone={() => {}} />, { network: true });
    await userEvent.click(await providerSelect());
    expect((await screen.findAllByRole('option')).map((o) => o.textContent)).toEqual([
      'Adyen',
      'Mollie',
      'PayPal',
      'Stripe',
      'Test provider',
    ]);
    await userEvent.click(screen.getByRole('option', { name: 'Adyen' }));
    expect((screen.getByLabelText(/^API key/) as HTMLInputElement).type).toBe('password');
    expect((screen.getByLabelText(/^Webhook HMAC key/) as HTMLInputElement).type).toBe('password');
    expect((screen.getByLabelText(/^Merchant account/) as HTMLInputElement).type).toBe('text');
    expect(screen.getByLabelText(/^Live URL prefix/)).toBeTruthy();
    await chooseProvider('Stripe');
    expect(screen.queryByLabelText(/^Merchant account/)).toBeNull();
    expect(screen.getByLabelText(/^Webhook signing secret/)).toBeTruthy();
  });

  it('names every missing field before sending anything', async () => {
    serveCatalog();
    renderWithProviders(<ProviderAccountForm onDone={() => {}} />, { network: true });
    await chooseProvider('PayPal');
    await userEvent.click(screen.getByRole('button', { name: 'Add account' }));
    await waitFor(() => expect(screen.getByText('Client secret is required')).toBeTruthy());
    expect(screen.getByText('Give the account a name')).toBeTruthy();
    expect(screen.getByText('Client id is required')).toBeTruthy();
    expect(screen.getByLabelText(/^Client secret/).getAttribute('aria-invalid')).toBe('true');
    // Only reads (the catalog, the integrations); nothing was sent.
    expect(api.sent.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('says so when the providers cannot be loaded, and loads them on "Try again"', async () => {
    let down = true;
    api.on((r) =>
      r.url.pathname === '/api/v1/admin/providers'
        ? down
          ? { status: 503, body: { status: 503, title: 'Service Unavailable' } }
          : { body: { data: CATALOG } }
        : undefined,
    );
    renderWithProviders(<ProviderAccountForm onDone={() => {}} />, { network: true });
    expect(await screen.findByText('The providers could not be loaded')).toBeTruthy();
    down = false;
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await chooseProvider('Stripe');
    expect(screen.getByLabelText(/^Secret key/)).toBeTruthy();
  });

  it('leaves write-only credentials alone when editing, until asked to replace them', async () => {
    const account: ProviderAccount = {
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
    serveCatalog();
    renderWithProviders(<ProviderAccountForm account={account} onDone={() => {}} />, {
      network: true,
    });
    expect(await screen.findByText(/never shown again: API key/)).toBeTruthy();
    expect(screen.queryByLabelText(/^API key/)).toBeNull();
    await userEvent.click(screen.getByLabelText('Replace credentials (enter all of them)'));
    expect((screen.getByLabelText(/^API key/) as HTMLInputElement).value).toBe('');
  });
});
