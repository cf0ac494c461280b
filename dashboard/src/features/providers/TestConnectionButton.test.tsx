// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

// The API client keeps the fetch it finds when it loads: install the fake server first.
const api = await vi.hoisted(async () =>
  (await import('../../test/mock-fetch')).installMockFetch(),
);
const { renderWithProviders } = await import('../../test/render');
const { TestConnectionButton, describeConnectionTest } = await import('./TestConnectionButton');

const TEST = '/api/v1/admin/provider-accounts/pa_1/test-connection';
const tests = () => api.sent.filter((r) => r.method === 'POST' && r.url.pathname === TEST);

function serve(answer: { status?: number; body: unknown }, canWrite = true) {
  api.on((r) => {
    if (r.url.pathname === '/api/v1/admin/me') return { body: { canWrite } };
    if (r.method === 'POST' && r.url.pathname === TEST) return answer;
    return undefined;
  });
}

const render = () =>
  renderWithProviders(<TestConnectionButton accountId="pa_1" providerName="Mollie" />, {
    network: true,
  });

beforeEach(() => api.reset());
afterEach(() => cleanup());

describe('test connection', () => {
  it('calls the route once and shows a working connection in words', async () => {
    serve({
      body: { ok: true, outcome: 'ok', httpStatus: 200, message: 'OK', durationMs: 84 },
    });
    render();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Test connection' }));
    expect(await screen.findByText('Connection works')).toBeTruthy();
    expect(screen.getByText('Mollie accepted the credentials (HTTP 200) in 84 ms.')).toBeTruthy();
    expect(tests()).toHaveLength(1);
    expect(tests()[0]!.body).toBeUndefined();
  });

  it('says refused credentials are refused, and what to do', async () => {
    serve({
      body: {
        ok: false,
        outcome: 'unauthorized',
        httpStatus: 401,
        message: 'Invalid API key.',
        durationMs: 120,
      },
    });
    render();
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Test connection' }));
    expect(await screen.findByText('Credentials refused')).toBeTruthy();
    expect(
      screen.getByText(
        'Mollie refused the credentials (HTTP 401): Invalid API key. Edit the account and enter them again.',
      ),
    ).toBeTruthy();
  });

  it('shows an error from the server itself as a problem, not as a test result', async () => {
    serve({
      status: 404,
      body: { status: 404, title: 'Not Found', detail: 'Provider account pa_1 was not found.' },
    });
    render();
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Test connection' }));
    expect(await screen.findByText('The connection test did not run')).toBeTruthy();
    expect(screen.getByText('Provider account pa_1 was not found.')).toBeTruthy();
    expect(screen.queryByText('Connection works')).toBeNull();
  });

  it('is hidden from read-only users', async () => {
    serve({ body: {} }, false);
    render();
    await vi.waitFor(() =>
      expect(api.sent.some((r) => r.url.pathname === '/api/v1/admin/me')).toBe(true),
    );
    await vi.waitFor(() =>
      expect(screen.queryByRole('button', { name: 'Test connection' })).toBeNull(),
    );
  });

  it('words every outcome, with the time taken where nothing answered', () => {
    const base = { ok: false, httpStatus: null, message: 'connect ECONNREFUSED', durationMs: 5003 };
    expect(describeConnectionTest({ ...base, outcome: 'unreachable' }, 'Adyen')).toEqual({
      title: 'Provider unreachable',
      text: "Adyen could not be reached after 5003 ms: connect ECONNREFUSED. Check the base URL and the server's network access.",
      color: 'red',
    });
    expect(
      describeConnectionTest(
        { ...base, outcome: 'error', httpStatus: 500, message: 'Internal error' },
        'Stripe',
      ).text,
    ).toBe('Stripe answered with an error (HTTP 500): Internal error.');
  });
});
