// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

// The API client keeps the fetch it finds when it loads: install the fake server first.
const api = await vi.hoisted(async () =>
  (await import('../../test/mock-fetch')).installMockFetch(),
);
const { renderWithProviders } = await import('../../test/render');
const { default: AuditLogPage } = await import('./AuditLogPage');

const event = {
  id: 'aud_1',
  at: '2026-11-27T10:15:00.000Z',
  actor: { sub: 'operator@example.com', clientId: 'paymentserver-dashboard', ip: '10.0.0.7' },
  action: 'payment.refund',
  targetType: 'payment',
  targetId: 'pay_1',
  outcome: 'succeeded',
  changedFields: ['amountRefunded'],
  correlationId: 'c-1',
};
const render = (route = '/audit-log') =>
  renderWithProviders(<AuditLogPage />, { network: true, route, path: '/audit-log' });
const auditRequests = () => api.sent.filter((r) => r.url.pathname === '/api/v1/admin/audit-events');

beforeEach(() => api.reset());
afterEach(() => cleanup());

describe('the audit log', () => {
  it('lists events with the filters of the URL, each target linked, and pages with the cursor', async () => {
    api.on((r) =>
      r.url.pathname === '/api/v1/admin/audit-events'
        ? r.url.searchParams.get('cursor')
          ? { body: { data: [{ ...event, id: 'aud_0', outcome: 'failed' }], nextCursor: null } }
          : { body: { data: [event], nextCursor: 'n1' } }
        : undefined,
    );
    render('/audit-log?action=payment.refund');
    const table = await screen.findByRole('table', { name: 'Audit events' });
    expect(within(table).getByRole('link', { name: 'pay_1' }).getAttribute('href')).toBe(
      '/payments/pay_1',
    );
    expect(table.textContent).toContain('operator@example.com · paymentserver-dashboard');
    expect(table.textContent).toContain('amountRefunded');
    expect(Object.fromEntries(auditRequests()[0]!.url.searchParams)).toEqual({
      limit: '50',
      action: 'payment.refund',
    });
    await userEvent.click(screen.getByRole('button', { name: 'Older' }));
    await vi.waitFor(() =>
      expect(document.querySelector('tr[data-audit-id="aud_0"]')?.textContent).toContain('failed'),
    );
    expect(auditRequests().at(-1)!.url.searchParams.get('cursor')).toBe('n1');
  });

  it('says the server has no audit log yet when the route answers 404', async () => {
    render();
    await screen.findByTestId('audit-unavailable');
    expect(screen.getByText('No audit log on this server yet')).toBeTruthy();
  });

  it("puts the server's field error for a filter under that filter", async () => {
    api.on((r) =>
      r.url.pathname === '/api/v1/admin/audit-events'
        ? {
            status: 400,
            body: {
              status: 400,
              title: 'Bad Request',
              detail: 'action: must be an action such as provider_account.update',
              errors: [
                { field: 'action', message: 'must be an action such as provider_account.update' },
              ],
            },
          }
        : undefined,
    );
    render('/audit-log?action=Refund!');
    const action = screen.getByRole('textbox', { name: 'Action' });
    await vi.waitFor(() => expect(action.getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getAllByText('must be an action such as provider_account.update')).toHaveLength(
      1,
    );
    expect(auditRequests()[0]!.url.searchParams.get('action')).toBe('Refund!');
  });

  it("shows another failure as the server's problem with a retry", async () => {
    api.on((r) =>
      r.url.pathname === '/api/v1/admin/audit-events'
        ? {
            status: 403,
            body: { status: 403, title: 'Forbidden', detail: 'Needs paymentserver:admin' },
          }
        : undefined,
    );
    render();
    await screen.findByText('Needs paymentserver:admin');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });
});
