// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import type { AdminPayment, Attention } from '../../api/types';

type AttentionItem = Attention['operations'][number];
import { attentionProblems, webhookProblems } from './open-problems';

function payment(id: string, since: string, types: ('refund' | 'capture')[]): AdminPayment {
  return {
    id,
    amount: { value: 1050, currency: 'EUR' },
    needsAttention: {
      since,
      reason: `refund re_${id} of EUR 10.50 is still open at adyen`,
      operations: types.map((type, i) => ({
        type,
        id: `${type}_${i}`,
        stage: 'accepted',
        since,
        why: 'why',
      })),
    },
  } as unknown as AdminPayment;
}

describe('open problems', () => {
  it('lists failing, dead and rejected provider webhooks with a link to the filtered inbox', () => {
    expect(
      webhookProblems([
        { status: 'failed', count: 0, more: false },
        { status: 'dead', count: 1, more: false },
        { status: 'rejected', count: 100, more: true },
      ]),
    ).toEqual([
      {
        key: 'whk-dead',
        text: '1 provider webhook dead (given up; replay them)',
        to: '/provider-webhooks?status=dead',
      },
      {
        key: 'whk-rejected',
        text: '100+ provider webhooks rejected (their signed fields contradict the payment)',
        to: '/provider-webhooks?status=rejected',
      },
    ]);
  });

  it('links each payment needing attention, at most five, and counts and links the rest', () => {
    const payments = Array.from({ length: 7 }, (_, i) =>
      payment(
        `pay_${i}`,
        `2026-11-0${i + 1}T00:00:00.000Z`,
        i === 0 ? ['refund', 'capture'] : ['refund'],
      ),
    );
    const problems = attentionProblems(payments, 9);
    expect(problems).toHaveLength(6);
    expect(problems[0]).toEqual({
      key: 'attention-pay_0',
      text: expect.stringMatching(
        /^Payment pay_0 \(€10\.50\): 2 open refund and capture need attention\. refund re_pay_0/,
      ),
      to: '/payments/pay_0',
    });
    expect(problems[1]!.text).toContain('1 open refund needs attention');
    // 9 in all (the totals), 5 shown: 4 more, linked to the filtered payment list.
    expect(problems[5]).toEqual({
      key: 'attention-more',
      text: '4 more payments need attention',
      to: '/payments?needsAttention=true',
    });
  });

  it('puts a contradiction the provider reported in its own words, and any open operations after it', () => {
    const contradiction = {
      type: 'contradiction',
      id: 'pay_c',
      stage: 'reported',
      since: '2026-11-02T00:00:00.000Z',
      why: 'mollie reported paid after the payment was canceled here: the customer may have paid; check at mollie and refund there',
    };
    const only = payment('pay_c', '2026-11-02T00:00:00.000Z', []);
    only.needsAttention = {
      ...only.needsAttention!,
      reason: contradiction.why,
      operations: [contradiction as AttentionItem],
    };
    const both = payment('pay_d', '2026-11-01T00:00:00.000Z', ['refund']);
    both.needsAttention = {
      ...both.needsAttention!,
      reason: contradiction.why,
      operations: [contradiction as AttentionItem, ...both.needsAttention!.operations],
    };
    const [first, second] = attentionProblems([only, both], 2);
    expect(first).toEqual({
      key: 'attention-pay_c',
      text: 'Payment pay_c (€10.50): mollie reported paid after the payment was canceled here: the customer may have paid; check at mollie and refund there',
      to: '/payments/pay_c',
    });
    expect(second!.text).toBe(
      `Payment pay_d (€10.50): ${contradiction.why}. Also 1 open refund needs attention`,
    );
  });

  it('adds no "more" line when every payment needing attention is shown', () => {
    expect(
      attentionProblems([payment('pay_1', '2026-11-01T00:00:00.000Z', ['refund'])], 1),
    ).toHaveLength(1);
    expect(attentionProblems([], 0)).toEqual([]);
  });
});
