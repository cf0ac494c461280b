import { describe, expect, it } from 'vitest';
import { localDayStart } from '../payments/payment-filters';
import {
  auditApiQuery,
  auditFiltersFromSearch,
  auditFiltersToSearch,
  targetLink,
  validateAuditFilters,
} from './audit-filters';

describe('audit log filters', () => {
  it('keeps the filters in the URL and sends whole local days, the last one included', () => {
    const filters = auditFiltersFromSearch(
      new URLSearchParams('action=api_key.revoke&from=2026-11-01&to=2026-11-30&x=1'),
    );
    expect(auditFiltersToSearch(filters).toString()).toBe(
      'action=api_key.revoke&from=2026-11-01&to=2026-11-30',
    );
    expect(auditApiQuery(filters, 'c1')).toEqual({
      limit: 50,
      cursor: 'c1',
      action: 'api_key.revoke',
      from: localDayStart('2026-11-01'),
      to: localDayStart('2026-11-30', 1),
    });
  });

  it('sends the outcome only when it is one the server knows', () => {
    const base = auditFiltersFromSearch(new URLSearchParams('outcome=failed'));
    expect(auditApiQuery(base)).toEqual({ limit: 50, outcome: 'failed' });
    expect(auditApiQuery({ ...base, outcome: 'maybe' })).toEqual({ limit: 50 });
  });

  it('refuses days out of order before any request', () => {
    const base = auditFiltersFromSearch(new URLSearchParams());
    expect(validateAuditFilters({ ...base, from: '2026-11-30', to: '2026-11-01' })).toEqual({
      to: 'On or after the first day',
    });
    expect(validateAuditFilters({ ...base, from: '30-11-2026' })).toEqual({
      from: 'A day, YYYY-MM-DD',
    });
  });

  it('links targets the dashboard has a screen for', () => {
    expect(targetLink('payment', 'pay_1')).toBe('/payments/pay_1');
    expect(targetLink('notification_endpoint', 'ne_1')).toBe('/notifications/ne_1');
    expect(targetLink('something_else', 'x')).toBeNull();
    expect(targetLink('payment', null)).toBeNull();
  });
});
