// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Integration, RoutingRule } from '../../api/types';

// The API client keeps the fetch it finds when it loads: install the fake server first.
const api = await vi.hoisted(async () =>
  (await import('../../test/mock-fetch')).installMockFetch(),
);
const { renderWithProviders } = await import('../../test/render');
const { SimulateBox } = await import('./SimulateBox');
const { CATALOG } = await import('../../test/provider-catalog.fixture');

const integrations = [{ id: 'int_1', name: 'Web shop' }] as Integration[];
const rules = [{ id: 'rr_1', name: 'EUR: 30 % to Mollie' }] as RoutingRule[];
const names = new Map([
  ['pa_m', 'Mollie NL'],
  ['test', 'Test provider'],
]);
const render = () =>
  renderWithProviders(
    <SimulateBox integrations={integrations} rules={rules} accountNames={names} />,
    { network: true },
  );
const simulate = async (amount: string) => {
  await userEvent.type(screen.getByRole('textbox', { name: /^Amount/ }), amount);
  await userEvent.click(screen.getByRole('button', { name: 'Simulate' }));
};

beforeEach(() => api.reset());
afterEach(() => cleanup());

describe('SimulateBox', () => {
  it('shows where the payment goes, by which rule, and why each candidate was taken or skipped', async () => {
    // Provider labels come from the server's catalog.
    api.on((r) => (r.path === '/api/v1/admin/providers' ? { body: { data: CATALOG } } : undefined));
    api.on((r) =>
      r.path === '/api/v1/admin/routing/simulate'
        ? {
            body: {
              ruleId: 'rr_1',
              reason: 'rule rr_1 matched: currency EUR',
              candidates: [
                {
                  providerAccountId: 'pa_m',
                  provider: 'mollie',
                  role: 'target',
                  eligible: false,
                  why: 'circuit open',
                },
                {
                  providerAccountId: 'test',
                  provider: 'test',
                  role: 'target',
                  eligible: true,
                  why: 'picked by weight',
                },
              ],
            },
          }
        : undefined,
    );
    render();
    await simulate('25,00');
    const result = await screen.findByTestId('simulation-result');
    expect(result.textContent).toContain(
      'Goes to Test provider (Test provider), by rule EUR: 30 % to Mollie',
    );
    expect(result.textContent).toContain('Mollie NL (target)skippedcircuit open');
    expect(api.sent[0]!.body).toMatchObject({
      integrationId: 'int_1',
      amount: { value: 2500, currency: 'EUR' },
    });
  });

  it('says the server cannot simulate yet when the route answers 404', async () => {
    render();
    await simulate('10');
    await screen.findByTestId('simulate-unavailable');
  });

  it("puts the server's field errors under the fields, and checks the amount before sending", async () => {
    api.on((r) =>
      r.path === '/api/v1/admin/routing/simulate'
        ? {
            status: 400,
            body: {
              status: 400,
              title: 'Bad Request',
              errors: [{ field: 'amount.value', message: 'must be at least 1' }],
            },
          }
        : undefined,
    );
    render();
    await simulate('1,234');
    // "1,234" in a currency with two decimals is ambiguous: refused before any request.
    await waitFor(() =>
      expect(screen.getByRole('textbox', { name: /^Amount/ }).getAttribute('aria-invalid')).toBe(
        'true',
      ),
    );
    expect(api.sent).toHaveLength(0);
    await userEvent.clear(screen.getByRole('textbox', { name: /^Amount/ }));
    await simulate('0,01');
    await screen.findByText('must be at least 1');
  });
});
