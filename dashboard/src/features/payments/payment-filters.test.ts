import { describe, expect, it } from 'vitest';
import {
  classifySearch,
  EMPTY_FILTERS,
  filtersFromSearch,
  filtersToSearch,
  localDayStart,
  toApiQuery,
} from './payment-filters';

describe('payment filters', () => {
  it('round-trips through the URL, leaving out empty filters', () => {
    const filters = { ...EMPTY_FILTERS, status: 'paid', currency: 'EUR', amountMin: '10,50' };
    const params = filtersToSearch(filters);
    expect(params.toString()).toBe('status=paid&currency=EUR&amountMin=10%2C50');
    expect(filtersFromSearch(params)).toEqual(filters);
  });

  it('sends needsAttention only as true or false, kept in the URL as typed', () => {
    expect(toApiQuery({ ...EMPTY_FILTERS, needsAttention: 'true' }).query).toEqual({
      needsAttention: true,
    });
    expect(toApiQuery({ ...EMPTY_FILTERS, needsAttention: 'false' }).query).toEqual({
      needsAttention: false,
    });
    expect(toApiQuery({ ...EMPTY_FILTERS, needsAttention: 'yes' }).query).toEqual({});
    expect(filtersFromSearch(new URLSearchParams('needsAttention=true')).needsAttention).toBe(
      'true',
    );
  });

  it('tells a payment id, an email and a reference apart', () => {
    expect(classifySearch(' pay_3kTqv0Xo ')).toEqual({ kind: 'id', value: 'pay_3kTqv0Xo' });
    expect(classifySearch('jane@example.com')).toEqual({
      kind: 'email',
      value: 'jane@example.com',
    });
    expect(classifySearch('order-1042')).toEqual({ kind: 'reference', value: 'order-1042' });
    expect(classifySearch('  ')).toBeNull();
  });

  it('turns amounts typed in major units into minor units of the chosen currency', () => {
    expect(
      toApiQuery({ ...EMPTY_FILTERS, currency: 'EUR', amountMin: '10,50', amountMax: '1.000,00' }),
    ).toEqual({
      query: { currency: 'EUR', amountMin: 1050, amountMax: 100000 },
      errors: {},
    });
    expect(
      toApiQuery({ ...EMPTY_FILTERS, currency: 'JPY', amountMin: '1050' }).query.amountMin,
    ).toBe(1050);
  });

  it('refuses an amount without a currency, a malformed one, and a range upside down', () => {
    expect(toApiQuery({ ...EMPTY_FILTERS, amountMin: '10' }).errors).toEqual({
      amountMin: 'Choose a currency first',
    });
    expect(toApiQuery({ ...EMPTY_FILTERS, currency: 'EUR', amountMax: '0.001' }).errors).toEqual({
      amountMax: 'EUR has at most 2 decimals',
    });
    expect(
      toApiQuery({ ...EMPTY_FILTERS, currency: 'EUR', amountMin: '20', amountMax: '10' }).errors,
    ).toEqual({ amountMax: 'Must not be below the minimum' });
  });

  it('sends the search as email or reference, and dates as local whole days', () => {
    expect(toApiQuery({ ...EMPTY_FILTERS, search: 'Jane@Example.com' }).query).toEqual({
      customerEmail: 'Jane@Example.com',
    });
    expect(toApiQuery({ ...EMPTY_FILTERS, search: 'order-7' }).query).toEqual({
      reference: 'order-7',
    });
    const { query } = toApiQuery({
      ...EMPTY_FILTERS,
      createdFrom: '2026-03-01',
      createdTo: '2026-03-01',
    });
    expect(query.createdFrom).toBe(new Date(2026, 2, 1).toISOString());
    expect(query.createdTo).toBe(new Date(2026, 2, 2).toISOString());
    expect(localDayStart('2026-12-31', 1)).toBe(new Date(2027, 0, 1).toISOString());
  });
});
