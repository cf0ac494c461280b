import type { Logger } from '@nestjs/common';
import { stripeWebhookNotifications } from './stripe.webhooks';

describe('Stripe dispute events', () => {
  const logger = { log: jest.fn() } as unknown as Logger;
  const disputeEvent = (type: string, status: string) => ({
    headers: {},
    rawBody: Buffer.from(
      JSON.stringify({
        id: 'evt_1',
        object: 'event',
        type,
        data: {
          object: {
            id: 'dp_1',
            object: 'dispute',
            amount: 1050,
            currency: 'eur',
            payment_intent: 'pi_1',
            status,
          },
        },
      }),
    ),
  });
  const notifications = (type: string, status: string) =>
    stripeWebhookNotifications(disputeEvent(type, status), logger);

  it('a won dispute (charge.dispute.closed, won) is a reversed chargeback of the PaymentIntent it names', () => {
    expect(notifications('charge.dispute.closed', 'won')).toEqual([
      {
        providerPaymentId: 'pi_1',
        signedAmount: { money: { value: 1050, currency: 'EUR' }, rule: 'at_most' },
        payment: {
          providerPaymentId: 'pi_1',
          status: 'charged_back',
          providerStatus: 'charge.dispute.closed:won',
          chargebackReversed: true,
        },
      },
    ]);
  });

  it.each([
    ['charge.dispute.created', 'needs_response'],
    ['charge.dispute.funds_withdrawn', 'needs_response'],
  ])('%s (%s) is a chargeback, not a reversal', (type, status) => {
    expect(notifications(type, status)).toEqual([
      expect.objectContaining({
        payment: {
          providerPaymentId: 'pi_1',
          status: 'charged_back',
          providerStatus: `${type}:${status}`,
        },
      }),
    ]);
  });

  it.each([
    ['charge.dispute.closed', 'lost'],
    ['charge.dispute.closed', 'warning_closed'],
    // Comes with the won dispute's charge.dispute.closed: one report per won dispute.
    ['charge.dispute.funds_reinstated', 'won'],
    ['charge.dispute.created', 'warning_needs_response'],
    ['charge.dispute.updated', 'under_review'],
    // Stopped before it became a formal chargeback (Disputes.d.ts): no money was withdrawn.
    ['charge.dispute.created', 'prevented'],
    ['charge.dispute.updated', 'prevented'],
    ['charge.dispute.closed', 'prevented'],
    ['charge.dispute.funds_withdrawn', 'prevented'],
  ])('%s (%s) changes nothing here (logged)', (type, status) => {
    (logger.log as jest.Mock).mockClear();
    expect(notifications(type, status)).toEqual([]);
    expect(logger.log).toHaveBeenCalledWith(
      expect.objectContaining({ type, disputeStatus: status, paymentIntent: 'pi_1' }),
    );
  });
});
