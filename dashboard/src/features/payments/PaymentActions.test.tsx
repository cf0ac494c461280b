// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Payment, Refund } from '../../api/types';

// The API client keeps the fetch it finds when it loads: install the fake server first, so
// that "before any request" is checked against what was really sent.
const api = await vi.hoisted(async () =>
  (await import('../../test/mock-fetch')).installMockFetch(),
);
const { renderWithProviders } = await import('../../test/render');
const { PaymentActions } = await import('./PaymentActions');

afterEach(() => {
  cleanup();
  api.reset();
});

const payment = (overrides: Partial<Payment>): Payment =>
  ({
    id: 'pay_1',
    status: 'paid',
    amount: { value: 1050, currency: 'EUR' },
    amountCaptured: 1050,
    amountRefunded: 0,
    provider: { name: 'mollie', accountId: 'pa_1', paymentId: 'tr_1' },
    failure: null,
    ...overrides,
  }) as Payment;

describe('PaymentActions', () => {
  it('offers capture and cancel for an authorized payment, refund for a paid one, nothing for a failed one', () => {
    const { unmount } = renderWithProviders(
      <PaymentActions
        payment={payment({ status: 'authorized', amountCaptured: 0 })}
        refunds={[]}
      />,
    );
    expect(screen.getByRole('button', { name: 'Capture…' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Cancel payment…' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Refund…' })).toBeNull();
    unmount();
    renderWithProviders(<PaymentActions payment={payment({})} refunds={[]} />);
    expect(screen.getByRole('button', { name: 'Refund…' })).toBeTruthy();
    cleanup();
    const { container } = renderWithProviders(
      <PaymentActions payment={payment({ status: 'failed' })} refunds={[]} />,
    );
    expect(container.querySelector('form')).toBeNull();
  });

  it('proposes the refundable remainder, pending refunds kept back', () => {
    const pending = {
      id: 're_1',
      paymentId: 'pay_1',
      amount: { value: 300, currency: 'EUR' },
      status: 'pending',
    } as Refund;
    renderWithProviders(
      <PaymentActions
        payment={payment({ status: 'partially_refunded', amountRefunded: 250 })}
        refunds={[pending]}
      />,
    );
    expect((screen.getByLabelText('Amount to refund') as HTMLInputElement).value).toBe('5.00');
    expect(screen.getByText(/in pending refunds is reserved/)).toBeTruthy();
  });

  it('checks the amount in the currency (decimal comma welcome) and confirms with it formatted, before any request', async () => {
    renderWithProviders(<PaymentActions payment={payment({})} refunds={[]} />);
    const amount = screen.getByLabelText('Amount to refund');
    await userEvent.clear(amount);
    await userEvent.type(amount, '0,001');
    await userEvent.click(screen.getByRole('button', { name: 'Refund…' }));
    await waitFor(() => expect(screen.getByText('EUR has at most 2 decimals')).toBeTruthy());
    await userEvent.clear(amount);
    await userEvent.type(amount, '4,1');
    await userEvent.click(screen.getByRole('button', { name: 'Refund…' }));
    const confirm = await screen.findByRole('button', { name: 'Refund €4.10' });
    expect(screen.getByTestId('confirm-amount').textContent).toBe('€4.10');
    expect(confirm).toBeTruthy();
    expect(api.sent).toEqual([]);
  });
});
