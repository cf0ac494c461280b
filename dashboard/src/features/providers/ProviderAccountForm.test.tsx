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
const { ProviderAccountForm } = await import('./ProviderAccountForm');

afterEach(() => {
  cleanup();
  api.reset();
});

async function chooseProvider(label: string) {
  await userEvent.click(screen.getByLabelText(/^Provider/, { selector: 'input' }));
  await userEvent.click(await screen.findByRole('option', { name: label }));
}

describe('ProviderAccountForm', () => {
  it('draws one field per credential of the chosen provider, secrets as password fields', async () => {
    renderWithProviders(<ProviderAccountForm onDone={() => {}} />);
    await chooseProvider('Adyen');
    expect((screen.getByLabelText(/^API key/) as HTMLInputElement).type).toBe('password');
    expect((screen.getByLabelText(/^Webhook HMAC key/) as HTMLInputElement).type).toBe('password');
    expect((screen.getByLabelText(/^Merchant account/) as HTMLInputElement).type).toBe('text');
    expect(screen.getByLabelText(/^Live URL prefix/)).toBeTruthy();
    await chooseProvider('Stripe');
    expect(screen.queryByLabelText(/^Merchant account/)).toBeNull();
    expect(screen.getByLabelText(/^Webhook signing secret/)).toBeTruthy();
  });

  it('names every missing field before sending anything', async () => {
    renderWithProviders(<ProviderAccountForm onDone={() => {}} />);
    await chooseProvider('PayPal');
    await userEvent.click(screen.getByRole('button', { name: 'Add account' }));
    await waitFor(() => expect(screen.getByText('Client secret is required')).toBeTruthy());
    expect(screen.getByText('Give the account a name')).toBeTruthy();
    expect(screen.getByText('Client id is required')).toBeTruthy();
    expect(screen.getByLabelText(/^Client secret/).getAttribute('aria-invalid')).toBe('true');
    expect(api.sent).toEqual([]);
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
    renderWithProviders(<ProviderAccountForm account={account} onDone={() => {}} />);
    expect(screen.getByText(/never shown again: API key/)).toBeTruthy();
    expect(screen.queryByLabelText(/^API key/)).toBeNull();
    await userEvent.click(screen.getByLabelText('Replace credentials (enter all of them)'));
    expect((screen.getByLabelText(/^API key/) as HTMLInputElement).value).toBe('');
  });
});
