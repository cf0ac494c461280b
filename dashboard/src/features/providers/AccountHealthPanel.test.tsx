// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

// The API client keeps the fetch it finds when it loads: install the fake server first.
const api = await vi.hoisted(async () =>
  (await import('../../test/mock-fetch')).installMockFetch(),
);
const { renderWithProviders } = await import('../../test/render');
const { AccountHealthPanel } = await import('./AccountHealthPanel');

const HEALTH = '/api/v1/admin/provider-accounts/pa_1/health';
const RESET = '/api/v1/admin/provider-accounts/pa_1/health/reset';

const open = {
  providerAccountId: 'pa_1',
  state: 'open',
  consecutiveFailures: 5,
  openedAt: '2026-11-27T10:00:00.000Z',
  retryAt: '2026-11-27T10:00:30.000Z',
  lastFailure: 'provider_unavailable: Mollie answered 503',
  lastFailureAt: '2026-11-27T10:00:00.000Z',
  scope: 'process',
};
const closed = {
  ...open,
  state: 'closed',
  consecutiveFailures: 0,
  openedAt: null,
  retryAt: null,
  lastFailure: null,
  lastFailureAt: null,
};

function serve(health: unknown, canWrite = true) {
  api.on((r) => {
    if (r.url.pathname === '/api/v1/admin/me') return { body: { canWrite } };
    if (r.method === 'GET' && r.url.pathname === HEALTH) return { body: health };
    return undefined;
  });
}

const render = () =>
  renderWithProviders(<AccountHealthPanel accountId="pa_1" name="Mollie NL" />, { network: true });
const resets = () => api.sent.filter((r) => r.method === 'POST' && r.url.pathname === RESET);

beforeEach(() => api.reset());
afterEach(() => cleanup());

describe("a provider account's circuit", () => {
  it('shows an open circuit in words: failures in a row, the last failure, when it probes again', async () => {
    serve(open);
    render();
    const panel = await screen.findByTestId('account-health');
    expect(within(panel).getByText('open')).toBeTruthy();
    expect(panel.textContent).toContain('skipped by routing');
    expect(panel.textContent).toContain(
      '5 failures in a row; last: provider_unavailable: Mollie answered 503',
    );
    expect(panel.textContent).toContain('probes again at');
    const times = panel.querySelectorAll('time');
    expect([...times].map((t) => t.getAttribute('datetime'))).toEqual([
      open.lastFailureAt,
      open.retryAt,
    ]);
  });

  it('resets it only after a confirmation, then shows it closed and says so', async () => {
    serve(open);
    api.on((r) => (r.method === 'POST' && r.url.pathname === RESET ? { body: closed } : undefined));
    render();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Reset circuit' }));
    const dialog = await screen.findByRole('dialog', { name: 'Reset the circuit?' });
    expect(dialog.textContent).toContain('Put Mollie NL back in rotation now?');
    expect(resets()).toHaveLength(0);

    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(resets()).toHaveLength(0);

    await user.click(screen.getByRole('button', { name: 'Reset circuit' }));
    await user.click(
      within(await screen.findByRole('dialog')).getByRole('button', { name: 'Reset circuit' }),
    );
    expect(
      await screen.findByText('Circuit of Mollie NL reset: closed, in rotation.'),
    ).toBeTruthy();
    expect(resets()).toHaveLength(1);
    const panel = screen.getByTestId('account-health');
    expect(within(panel).getByText('closed')).toBeTruthy();
    expect(panel.textContent).not.toContain('failures in a row');
    // Nothing left to reset.
    expect(screen.queryByRole('button', { name: 'Reset circuit' })).toBeNull();
  });

  it('shows the problem when the reset is refused, and keeps the state shown', async () => {
    serve(open);
    api.on((r) =>
      r.method === 'POST' && r.url.pathname === RESET
        ? {
            status: 403,
            body: { status: 403, title: 'Forbidden', detail: 'This token may only read.' },
          }
        : undefined,
    );
    render();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Reset circuit' }));
    await user.click(
      within(await screen.findByRole('dialog')).getByRole('button', { name: 'Reset circuit' }),
    );
    expect(await screen.findByText('The circuit was not reset')).toBeTruthy();
    expect(screen.getByText('This token may only read.')).toBeTruthy();
    expect(within(screen.getByTestId('account-health')).getByText('open')).toBeTruthy();
  });

  it('offers no reset for a closed circuit without failures', async () => {
    serve(closed);
    render();
    const panel = await screen.findByTestId('account-health');
    expect(panel.textContent).toContain('in rotation');
    expect(screen.queryByRole('button', { name: 'Reset circuit' })).toBeNull();
  });

  it('hides the reset from read-only users but shows them the state', async () => {
    serve(open, false);
    render();
    const panel = await screen.findByTestId('account-health');
    await vi.waitFor(() =>
      expect(api.sent.some((r) => r.url.pathname === '/api/v1/admin/me')).toBe(true),
    );
    await vi.waitFor(() =>
      expect(screen.queryByRole('button', { name: 'Reset circuit' })).toBeNull(),
    );
    expect(panel.textContent).toContain('5 failures in a row');
  });

  it('says when the state could not be loaded', async () => {
    api.on((r) =>
      r.url.pathname === HEALTH
        ? { status: 500, body: { status: 500, title: 'Internal Server Error' } }
        : undefined,
    );
    render();
    expect(
      await screen.findByText('Circuit: unknown (the state could not be loaded)'),
    ).toBeTruthy();
  });
});
