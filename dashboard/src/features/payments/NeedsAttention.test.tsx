// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { AdminPayment } from '../../api/types';

// The API client keeps the fetch it finds when it loads: install the fake server first.
const api = await vi.hoisted(async () =>
  (await import('../../test/mock-fetch')).installMockFetch(),
);
const { renderWithProviders } = await import('../../test/render');
const { NeedsAttention } = await import('./NeedsAttention');

const WHY =
  'mollie reported paid after the payment was canceled here: the customer may have paid; check at mollie and refund there';
const RESOLVE = '/api/v1/admin/payments/pay_1/attention/resolve';

const payment = (operations: { type: string; why: string }[]): AdminPayment =>
  ({
    id: 'pay_1',
    status: 'canceled',
    amount: { value: 2000, currency: 'EUR' },
    provider: { name: 'mollie', accountId: 'pa_1', paymentId: 'tr_1' },
    needsAttention: {
      since: '2026-11-28T09:00:00.000Z',
      reason: operations[0]!.why,
      operations: operations.map((o, i) => ({
        id: o.type === 'contradiction' ? 'pay_1' : `re_${i}`,
        stage: o.type === 'contradiction' ? 'reported' : 'accepted',
        since: '2026-11-28T09:00:00.000Z',
        ...o,
      })),
    },
  }) as unknown as AdminPayment;

const contradicted = payment([
  { type: 'contradiction', why: WHY },
  { type: 'refund', why: 'refund re_1 of EUR 5.00 is still open at mollie' },
]);

function serve(canWrite: boolean, resolve: { status?: number; body: unknown }) {
  api.on((r) => {
    if (r.url.pathname === '/api/v1/admin/me') return { body: { canWrite } };
    if (r.url.pathname === RESOLVE) return resolve;
    return undefined;
  });
}

beforeEach(() => api.reset());
afterEach(() => cleanup());

describe('NeedsAttention', () => {
  it('shows a contradiction apart from open operations, and to a read-only user without the action', async () => {
    serve(false, { body: {} });
    renderWithProviders(<NeedsAttention payment={contradicted} pspUrl={null} />, {
      network: true,
    });
    expect(screen.getByTestId('contradiction-reason').textContent).toBe(WHY);
    expect(screen.getByTestId('needs-attention').textContent).toContain(
      'refund re_1 of EUR 5.00 is still open',
    );
    expect(screen.getByTestId('needs-attention').textContent).not.toContain(WHY);
    await vi.waitFor(() =>
      expect(api.sent.some((r) => r.url.pathname === '/api/v1/admin/me')).toBe(true),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(screen.queryByRole('button', { name: 'Mark as resolved…' })).toBeNull();
  });

  it('shows only the open operations when nothing contradicts', () => {
    renderWithProviders(
      <NeedsAttention
        payment={payment([{ type: 'capture', why: 'capture still open' }])}
        pspUrl={null}
      />,
    );
    expect(screen.queryByTestId('contradiction')).toBeNull();
    expect(screen.getByTestId('needs-attention').textContent).toContain('capture still open');
  });

  it('marks it resolved with the note only after the confirmation', async () => {
    serve(true, { body: { ...contradicted, needsAttention: null } });
    renderWithProviders(<NeedsAttention payment={contradicted} pspUrl={null} />, {
      network: true,
    });
    const button = await screen.findByRole('button', { name: 'Mark as resolved…' });
    await userEvent.click(button);
    await screen.findByRole('dialog', { name: 'Mark the contradiction as resolved?' });
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.sent.filter((r) => r.method === 'POST')).toEqual([]);

    await userEvent.click(button);
    const note = await screen.findByLabelText(/^Note \(optional\)/);
    expect(note.getAttribute('maxlength')).toBe('512');
    await userEvent.type(note, '  Refunded at Mollie by hand  ');
    await userEvent.click(screen.getByRole('button', { name: 'Mark as resolved' }));
    await screen.findByText('Marked as resolved. The status and amounts are unchanged.');
    const posts = api.sent.filter((r) => r.method === 'POST');
    expect(posts.map((r) => [r.url.pathname, r.body])).toEqual([
      [RESOLVE, { note: 'Refunded at Mollie by hand' }],
    ]);
  });

  it("shows the server's problem when there is nothing to resolve any more", async () => {
    serve(true, {
      status: 409,
      body: {
        status: 409,
        title: 'Conflict',
        code: 'nothing_to_resolve',
        detail: 'No contradiction reported by the provider is waiting on this payment',
      },
    });
    renderWithProviders(<NeedsAttention payment={contradicted} pspUrl={null} />, {
      network: true,
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Mark as resolved…' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Mark as resolved' }));
    await screen.findByText('No contradiction reported by the provider is waiting on this payment');
    expect(screen.getByText('The contradiction was not marked as resolved')).toBeTruthy();
    // No note typed: an empty body.
    expect(api.sent.find((r) => r.method === 'POST')?.body).toEqual({});
  });
});
