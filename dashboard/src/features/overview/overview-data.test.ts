import { describe, expect, it } from 'vitest';
import type { StatisticsRow } from '../../api/types';
import { currenciesOf, dailySeries, totals, utcDays } from './overview-data';

const row = (
  key: string,
  count: number,
  paid: number,
  eur: number,
  refunded = 0,
): StatisticsRow => ({
  key,
  count,
  paidCount: paid,
  successRate: count ? paid / count : 0,
  volume: eur ? [{ value: eur - refunded, currency: 'EUR' }] : [],
  grossVolume: eur ? [{ value: eur, currency: 'EUR' }] : [],
  refundedVolume: eur ? [{ value: refunded, currency: 'EUR' }] : [],
  chargedBackVolume: [],
  refundedCount: refunded ? 1 : 0,
  chargedBackCount: 0,
});

describe('overview data', () => {
  it('lists every UTC day of the window', () => {
    expect(utcDays('2026-02-27T23:00:00.000Z', new Date('2026-03-02T08:00:00Z'))).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ]);
  });

  it('fills days without payments with zero and plots volumes in major units', () => {
    const series = dailySeries(
      [row('2026-03-01', 4, 3, 1050, 50)],
      ['2026-02-28', '2026-03-01'],
      'EUR',
    );
    expect(series).toEqual([
      { day: '2026-02-28', payments: 0, paid: 0, successRate: null, net: 0, refunded: 0 },
      { day: '2026-03-01', payments: 4, paid: 3, successRate: 75, net: 10, refunded: 0.5 },
    ]);
  });

  it('adds up counts and money per currency exactly', () => {
    const t = totals([
      row('a', 2, 1, 1050, 50),
      row('b', 3, 3, 2, 0),
      {
        ...row('c', 1, 1, 0),
        grossVolume: [{ value: 700, currency: 'USD' }],
        volume: [{ value: 700, currency: 'USD' }],
      },
    ]);
    expect(t.count).toBe(6);
    expect(t.paidCount).toBe(5);
    expect(t.net).toEqual([
      { currency: 'EUR', value: 1002 },
      { currency: 'USD', value: 700 },
    ]);
    expect(t.refunded).toEqual([{ currency: 'EUR', value: 50 }]);
    expect(
      currenciesOf([
        row('a', 1, 1, 1050),
        { ...row('b', 1, 1, 0), grossVolume: [{ value: 5000, currency: 'USD' }] },
      ]),
    ).toEqual(['USD', 'EUR']);
  });
});
