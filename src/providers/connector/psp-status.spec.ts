import type { PaymentStatus } from '../../domain/payment-status';
import { MOLLIE_STATUS_MAP } from '../mollie/mollie.mapper';
import type { MolliePaymentStatus } from '../mollie/mollie.types';
import { mapPspStatus } from './psp-status';

describe('mapPspStatus', () => {
  it('maps a documented status and leaves an unknown one (or a prototype key) unmapped', () => {
    expect(mapPspStatus(MOLLIE_STATUS_MAP, 'authorized')).toBe('authorized');
    expect(mapPspStatus(MOLLIE_STATUS_MAP, 'brand_new')).toBeUndefined();
    expect(mapPspStatus(MOLLIE_STATUS_MAP, 'toString')).toBeUndefined();
    expect(mapPspStatus(MOLLIE_STATUS_MAP, null)).toBeUndefined();
  });

  it('is fed by maps that must name every documented status (checked by the compiler)', () => {
    // @ts-expect-error a map that leaves out documented statuses does not compile
    const incomplete: Record<MolliePaymentStatus, PaymentStatus> = { open: 'pending' };
    expect(Object.keys(incomplete)).toEqual(['open']);
  });
});
