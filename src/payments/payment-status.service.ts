import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { newId, ID_PREFIX } from '../common/ids/id';
import { Payment } from './entities/payment.entity';
import { PaymentEvent } from './entities/payment-event.entity';
import { Refund } from './entities/refund.entity';
import { OutboxEvent } from '../notifications/outbox-event.entity';
import { wakeDeliveryOnCommit } from '../notifications/outbox-commit.listener';
import { EndpointSubscriptions } from '../notifications/endpoint-subscriptions';
import { PaymentStateMachine } from './payment-state-machine';
import type { EventSource, PaymentStatus, RefundStatus } from '../domain/payment-status';
import { toPaymentView, toRefundView } from './payment.presenter';
import { MetricsService } from '../metrics/metrics.service';
import { afterCommit } from '../metrics/after-commit';
import { settleOperationByStatus } from './operations/operation-settlement';
import { RowStatements } from '../database/statements/row-statements';
import { moneyContradiction, RefusedCause } from './money-contradiction';

export interface PaymentChange {
  to: PaymentStatus;
  source: EventSource;
  detail?: string;
  amountCaptured?: number;
  failure?: { code: string; message: string };
  /** The provider reports the chargeback reversed (ProviderPaymentState.chargebackReversed). */
  chargebackReversed?: boolean;
}

export type ChangeOutcome = 'applied' | 'unchanged' | 'ignored';

/**
 * The only writer of payment and refund status. Each change writes, in the caller's
 * transaction (on a locked payment row): the new status, its history row and its outbox row.
 */
@Injectable()
export class PaymentStatusService {
  private readonly logger = new Logger('PaymentStatus');

  constructor(
    private readonly metrics: MetricsService,
    private readonly rows: RowStatements,
    private readonly subscriptions: EndpointSubscriptions,
  ) {}

  /**
   * A captured amount reported with a change, if it can be true: a whole number from 0 to the
   * payment's amount. Anything else is not believed (and logged), because what is left to refund
   * is worked out from it: a payment of 10.50 never has 9,999.99 to refund, whoever signed it.
   */
  private believableCapture(payment: Payment, change: PaymentChange): number | undefined {
    const reported = change.amountCaptured;
    if (reported === undefined) return undefined;
    if (Number.isSafeInteger(reported) && reported >= 0 && reported <= payment.amountValue)
      return reported;
    this.logger.warn({
      msg: 'captured amount out of range ignored',
      paymentId: payment.id,
      amountCaptured: reported,
      amount: payment.amountValue,
      source: change.source,
    });
    return undefined;
  }

  /** Records the creation of a payment in its history (no outbox row: nothing changed yet). */
  async recordCreated(manager: EntityManager, payment: Payment): Promise<void> {
    await this.rows.insert(
      manager,
      PaymentEvent,
      this.historyRow(payment, {
        type: 'payment.created',
        fromStatus: null,
        toStatus: payment.status,
        source: 'api',
        ignored: false,
      }),
    );
  }

  async changePayment(
    manager: EntityManager,
    payment: Payment,
    change: PaymentChange,
  ): Promise<ChangeOutcome> {
    // The money came back, but no status follows charged_back (nor one never charged back here).
    if (change.chargebackReversed) {
      // Recorded once: a PSP that reports the payment's whole state (Mollie) repeats the same
      // reversal with every later webhook, which must not mark the payment again once an
      // operator has resolved it. A different reversal reads differently in the detail.
      if (await this.alreadyIgnored(manager, payment.id, ignoredDetail(payment, change)))
        return 'unchanged';
      await this.recordIgnored(manager, payment, change, 'chargeback_reversed');
      return 'ignored';
    }
    const decision = PaymentStateMachine.decide(payment.status, change.to);
    if (decision === 'unchanged') return 'unchanged';
    if (decision === 'ignore') {
      await this.recordIgnored(manager, payment, change, 'status');
      return 'ignored';
    }

    const from = payment.status;
    const now = new Date();
    payment.version += 1;
    payment.updatedAt = now;
    payment.status = change.to;
    const captured = this.believableCapture(payment, change);
    if (change.to === 'paid' && payment.amountCaptured === 0) {
      payment.amountCaptured = captured ?? payment.amountValue;
    } else if (captured !== undefined) {
      payment.amountCaptured = captured;
    }
    if (change.failure) {
      payment.failureCode = change.failure.code;
      payment.failureMessage = change.failure.message.slice(0, 1024);
    }
    // An open capture or cancel is decided by the new status (before the event shows the payment).
    await settleOperationByStatus(manager, payment, change.to);
    await this.rows.update(manager, Payment, payment.id, {
      status: payment.status,
      amountCaptured: payment.amountCaptured,
      amountRefunded: payment.amountRefunded,
      failureCode: payment.failureCode,
      failureMessage: payment.failureMessage,
      version: payment.version,
      updatedAt: now,
    });
    await this.rows.insert(
      manager,
      PaymentEvent,
      this.historyRow(
        payment,
        {
          type: 'payment.status_changed',
          fromStatus: from,
          toStatus: change.to,
          source: change.source,
          ignored: false,
          detail: change.detail ?? null,
        },
        now,
      ),
    );
    await this.writeOutbox(manager, this.outboxRow(payment, 'payment.status_changed', from, now));
    // Counted when the transaction commits: a change that is rolled back never happened.
    const labels = {
      provider: payment.providerName ?? 'none',
      from,
      to: change.to,
      source: change.source,
    };
    afterCommit(manager, () => this.metrics.paymentStatusChanges.inc(labels));
    return 'applied';
  }

  /**
   * Records in the history that the provider reported that an operation which had succeeded
   * failed after all (Adyen CAPTURE_FAILED after CAPTURE), as a change the state machine does not
   * allow: the status stays, nothing is sent to the shop, the payment needs an operator.
   */
  async recordIgnoredChange(
    manager: EntityManager,
    payment: Payment,
    change: PaymentChange,
  ): Promise<void> {
    await this.recordIgnored(manager, payment, change, 'operation_failed');
  }

  /**
   * A reported change the state machine does not allow (a late or backwards update, a reversed
   * chargeback): recorded in the history, the status stays, nothing is sent to the shop. When it
   * means money may have moved against our records, the payment is marked for an operator in the
   * same write.
   */
  /** Whether the payment's history already holds an ignored event with this detail. */
  private async alreadyIgnored(
    manager: EntityManager,
    paymentId: string,
    detail: string,
  ): Promise<boolean> {
    return manager
      .getRepository(PaymentEvent)
      .exists({ where: { paymentId, ignored: true, detail } });
  }

  private async recordIgnored(
    manager: EntityManager,
    payment: Payment,
    change: PaymentChange,
    cause: RefusedCause,
  ): Promise<void> {
    const from = payment.status;
    this.logger.log({
      msg: 'status update ignored',
      paymentId: payment.id,
      from,
      to: change.to,
      source: change.source,
    });
    const reason = moneyContradiction(
      {
        subject: 'payment',
        cause,
        from,
        to: change.to,
        wasAuthorized:
          change.to === 'authorized' && (await this.wasAuthorized(manager, payment.id)),
      },
      payment.providerName,
    );
    payment.version += 1;
    await this.rows.update(manager, Payment, payment.id, {
      version: payment.version,
      ...this.attentionFields(payment, reason),
    });
    await this.rows.insert(
      manager,
      PaymentEvent,
      this.historyRow(payment, {
        type: 'payment.status_changed',
        fromStatus: from,
        toStatus: change.to,
        source: change.source,
        ignored: true,
        detail: ignoredDetail(payment, change),
      }),
    );
  }

  /** Whether the payment was authorized here at some point (its history applied the change). */
  private wasAuthorized(manager: EntityManager, paymentId: string): Promise<boolean> {
    return manager.existsBy(PaymentEvent, {
      paymentId,
      type: 'payment.status_changed',
      toStatus: 'authorized',
      ignored: false,
    });
  }

  /**
   * The attention columns for a contradiction (none without one): the first one's time stays
   * until an operator resolves it, the newest reason is shown.
   */
  private attentionFields(
    payment: Payment,
    reason: string | null,
  ): Partial<Pick<Payment, 'attentionSince' | 'attentionReason'>> {
    if (!reason) return {};
    this.logger.warn({
      msg: 'provider report contradicts our records',
      paymentId: payment.id,
      reason,
    });
    const earlier = payment.attentionReason && payment.attentionReason !== reason;
    payment.attentionSince ??= new Date();
    payment.attentionReason = (
      earlier ? `${reason}. Earlier reports are in the payment's history.` : reason
    ).slice(0, 512);
    return { attentionSince: payment.attentionSince, attentionReason: payment.attentionReason };
  }

  /** Records a new refund (its amount is reserved from now on). */
  async recordRefundCreated(
    manager: EntityManager,
    payment: Payment,
    refund: Refund,
  ): Promise<void> {
    payment.version += 1;
    await this.rows.update(manager, Payment, payment.id, { version: payment.version });
    await this.rows.insert(
      manager,
      PaymentEvent,
      this.historyRow(payment, {
        type: 'refund.created',
        fromStatus: null,
        toStatus: refund.status,
        source: 'api',
        ignored: false,
        refundId: refund.id,
      }),
    );
  }

  /**
   * Moves a refund pending → succeeded | failed. A succeeded refund raises the payment's
   * refunded total and moves the payment to partially_refunded or refunded.
   */
  async changeRefund(
    manager: EntityManager,
    payment: Payment,
    refund: Refund,
    to: RefundStatus,
    source: EventSource,
    failure?: { code: string; message: string },
  ): Promise<ChangeOutcome> {
    if (refund.status === to) return 'unchanged';
    const from = refund.status;
    const now = new Date();
    payment.version += 1;
    if (from !== 'pending') {
      const reason = moneyContradiction(
        { subject: 'refund', from, to, refundId: refund.id },
        payment.providerName,
      );
      await this.rows.update(manager, Payment, payment.id, {
        version: payment.version,
        ...this.attentionFields(payment, reason),
      });
      await this.rows.insert(
        manager,
        PaymentEvent,
        this.historyRow(
          payment,
          {
            type: 'refund.status_changed',
            fromStatus: from,
            toStatus: to,
            source,
            ignored: true,
            refundId: refund.id,
            // e.g. a refund the card scheme rejected after it had succeeded (Adyen REFUND_FAILED)
            detail: `refund ${from} cannot move to ${to}${failure ? ` (${failure.code}: ${failure.message})` : ''}`,
          },
          now,
        ),
      );
      return 'ignored';
    }
    refund.status = to;
    refund.updatedAt = now;
    if (failure) {
      refund.failureCode = failure.code;
      refund.failureMessage = failure.message.slice(0, 1024);
    }
    await this.rows.update(manager, Refund, refund.id, {
      status: to,
      updatedAt: now,
      failureCode: refund.failureCode,
      failureMessage: refund.failureMessage,
      providerRefundId: refund.providerRefundId,
    });
    if (to === 'succeeded') payment.amountRefunded += refund.amountValue;
    await this.rows.update(manager, Payment, payment.id, {
      version: payment.version,
      amountRefunded: payment.amountRefunded,
      updatedAt: now,
    });
    await this.rows.insert(
      manager,
      PaymentEvent,
      this.historyRow(
        payment,
        {
          type: 'refund.status_changed',
          fromStatus: from,
          toStatus: to,
          source,
          ignored: false,
          refundId: refund.id,
        },
        now,
      ),
    );
    await this.writeOutbox(
      manager,
      this.outboxRow(payment, 'refund.status_changed', from, now, refund),
    );

    if (to === 'succeeded') {
      const next = PaymentStateMachine.statusAfterRefunds(
        payment.amountCaptured,
        payment.amountRefunded,
      );
      // A second partial refund leaves the status as it is; only the total changed.
      if (next !== payment.status) {
        await this.changePayment(manager, payment, {
          to: next,
          source,
          detail: `refund ${refund.id} succeeded`,
        });
      }
    }
    return 'applied';
  }

  private historyRow(
    payment: Payment,
    fields: Pick<PaymentEvent, 'type' | 'fromStatus' | 'toStatus' | 'source' | 'ignored'> &
      Partial<Pick<PaymentEvent, 'detail' | 'refundId'>>,
    now = new Date(),
  ): PaymentEvent {
    return {
      id: newId(ID_PREFIX.paymentEvent),
      paymentId: payment.id,
      sequence: payment.version,
      createdAt: now,
      ...fields,
      refundId: fields.refundId ?? null,
      // The column holds 512; a provider's reason can be longer.
      detail: fields.detail?.slice(0, 512) ?? null,
    } as PaymentEvent;
  }

  /**
   * The outbox row, and this instance's delivery worker woken when the transaction commits. An
   * event no enabled endpoint of the integration subscribes to is kept all the same (the record
   * of what was announced) but written as dispatched: no worker round, no fan-out for it.
   */
  private async writeOutbox(manager: EntityManager, row: OutboxEvent): Promise<void> {
    if (await this.subscriptions.wanted(manager, row.integrationId, row.type))
      wakeDeliveryOnCommit(manager);
    else row.dispatchedAt = row.createdAt;
    await this.rows.insert(manager, OutboxEvent, row);
  }

  private outboxRow(
    payment: Payment,
    type: 'payment.status_changed' | 'refund.status_changed',
    previousStatus: string,
    now: Date,
    refund?: Refund,
  ): OutboxEvent {
    const id = newId(ID_PREFIX.event);
    const payload = {
      id,
      type,
      timestamp: now.toISOString(),
      data: {
        payment: toPaymentView(payment),
        ...(refund ? { refund: toRefundView(refund) } : {}),
        previousStatus,
      },
    };
    return {
      id,
      integrationId: payment.integrationId,
      type,
      paymentId: payment.id,
      refundId: refund?.id ?? null,
      sequence: payment.version,
      payload: JSON.stringify(payload),
      createdAt: now,
      dispatchedAt: null,
    };
  }
}

/** The history's detail of an ignored change (its provider status, when it came with one). */
function ignoredDetail(payment: Payment, change: PaymentChange): string {
  return change.detail ?? `${payment.status} cannot move to ${change.to}`;
}
