import { settlementByStatus } from './operation-settlement';

describe('what a reported payment status says about an open capture or cancel', () => {
  it('paid: the capture was done, a cancel was not', () => {
    expect(settlementByStatus('capture', 'paid')).toEqual({ status: 'succeeded' });
    expect(settlementByStatus('cancel', 'paid')).toMatchObject({
      status: 'failed',
      failure: { code: 'payment_paid' },
    });
  });

  it('canceled: the cancel was done, a capture was not', () => {
    expect(settlementByStatus('cancel', 'canceled')).toEqual({ status: 'succeeded' });
    expect(settlementByStatus('capture', 'canceled')).toMatchObject({
      status: 'failed',
      failure: { code: 'payment_canceled' },
    });
  });

  it.each(['expired', 'failed'] as const)('%s: neither was done', (status) => {
    expect(settlementByStatus('capture', status)?.status).toBe('failed');
    expect(settlementByStatus('cancel', status)?.status).toBe('failed');
  });

  it.each(['pending', 'authorized'] as const)('%s decides nothing', (status) => {
    expect(settlementByStatus('capture', status)).toBeUndefined();
    expect(settlementByStatus('cancel', status)).toBeUndefined();
  });
});
