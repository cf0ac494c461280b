import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Payment } from './entities/payment.entity';
import { Refund } from './entities/refund.entity';
import { PaymentStatusService } from './payment-status.service';
import { forbiddenInStatus, PaymentStateMachine } from './payment-state-machine';
import { PaymentScope, PaymentsService, notSupported } from './payments.service';
import { CreateRefundDto } from './dto/create-refund.dto';
import { TransactionService } from '../database/transaction.service';
import { AuditService } from '../audit/audit.service';
import { ProviderAccountsService } from '../providers/provider-accounts.service';
import { RefundTracker } from './operations/refund-tracker.service';
import { newLeaseToken } from './operations/operation-lease';
import { sendingFirst } from './operations/operation-tracking';
import { refusalProblem } from './operations/provider-outcome';
import { UnprocessableError, ValidationError } from '../common/errors/domain-error';
import { newId, ID_PREFIX } from '../common/ids/id';
import { refusal } from '../providers/capabilities';
import { IDEMPOTENCY_TTL_MS } from '../idempotency/idempotency.service';

/**
 * Refunds reserve their amount in the same locked transaction that checks what is left
 * (captured − succeeded − pending), so concurrent requests can never refund more than was
 * captured. The provider is called after the reservation commits; a refund whose answer is
 * lost stays pending (its amount reserved) and is answered 201 like any pending refund.
 */
@Injectable()
export class RefundsService {
  constructor(
    @InjectRepository(Refund) private readonly refunds: Repository<Refund>,
    private readonly payments: PaymentsService,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    private readonly status: PaymentStatusService,
    private readonly accounts: ProviderAccountsService,
    private readonly tracker: RefundTracker,
  ) {}

  async list(scope: PaymentScope, paymentId: string): Promise<Refund[]> {
    await this.payments.get(scope, paymentId);
    return this.refunds.find({ where: { paymentId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /**
   * `requestKey` (see Refund.requestKey) makes a retried request idempotent here too: its refund,
   * made within the key's lifetime, is answered again as it is now, and nothing new is sent.
   */
  async create(
    scope: PaymentScope,
    paymentId: string,
    dto: CreateRefundDto,
    requestKey?: string,
  ): Promise<Refund> {
    const payment = await this.payments.get(scope, paymentId);
    if (dto.amount && dto.amount.currency !== payment.currency) {
      throw ValidationError.field(
        'amount.currency',
        `must be the payment's currency ${payment.currency}`,
      );
    }
    if (requestKey) {
      const earlier = await this.refunds.findOneBy({ paymentId, requestKey });
      if (earlier && Date.now() - earlier.createdAt.getTime() < IDEMPOTENCY_TTL_MS) return earlier;
    }
    if (!PaymentStateMachine.canRefund(payment.status))
      throw forbiddenInStatus('refund', payment.status);
    const resolved = await this.accounts.resolve(payment.providerAccountId!);
    const refused = refusal(resolved.provider, { method: payment.method, features: ['refunds'] });
    if (refused) throw notSupported(resolved.provider.name, refused.what);
    const token = newLeaseToken();

    const { refund, locked, earlier } = await this.tx.run(async (m) => {
      const locked = (await this.tx.lock(m, Payment, paymentId))!;
      if (requestKey) {
        // The same request running at once elsewhere got here first (under the payment's lock).
        const earlier = await m.findOneBy(Refund, { paymentId, requestKey });
        if (earlier && Date.now() - earlier.createdAt.getTime() < IDEMPOTENCY_TTL_MS)
          return { refund: earlier, locked, earlier: true };
      }
      if (!PaymentStateMachine.canRefund(locked.status))
        throw forbiddenInStatus('refund', locked.status);
      // Pending refunds count as refunded: one whose outcome is unknown may well have happened.
      const open = await m.find(Refund, {
        where: { paymentId, status: In(['pending', 'succeeded']) },
      });
      const reserved = open.reduce((sum, r) => sum + r.amountValue, 0);
      const available = locked.amountCaptured - reserved;
      const value = dto.amount?.value ?? available;
      if (value <= 0 || value > available) {
        throw new UnprocessableError(
          'refund_exceeds_available',
          'Refund exceeds available amount',
          `Only ${available} ${locked.currency} minor units are left to refund`,
        );
      }
      const limits = refusal(resolved.provider, {
        method: payment.method,
        features: [
          ...(value < locked.amountCaptured ? (['partialRefunds'] as const) : []),
          ...(open.length > 0 ? (['multipleRefunds'] as const) : []),
        ],
      });
      if (limits) throw notSupported(resolved.provider.name, limits.what);
      const now = new Date();
      const id = newId(ID_PREFIX.refund);
      const row: Refund = {
        id,
        paymentId,
        amountValue: value,
        currency: locked.currency,
        status: 'pending',
        reason: dto.reason ?? null,
        providerRefundId: null,
        requestKey: requestKey ?? null,
        // Held by this request while it calls the provider: no reconciler sends it meanwhile.
        ...sendingFirst(id, token, now),
      };
      await m.insert(Refund, row);
      await this.status.recordRefundCreated(m, locked, row);
      await this.audit.record(m);
      return { refund: row, locked, earlier: false };
    });
    if (earlier) return refund;

    const sent = await this.tracker.send(refund, locked, resolved, token);
    if (sent.outcome.kind === 'refused') throw refusalProblem(sent.outcome.error);
    return sent.refund;
  }
}
