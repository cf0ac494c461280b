import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Payment } from './entities/payment.entity';
import { Refund } from './entities/refund.entity';
import { PaymentStatusService } from './payment-status.service';
import { PaymentStateMachine } from './payment-state-machine';
import { PaymentScope, PaymentsService, notSupported } from './payments.service';
import { CreateRefundDto } from './dto/create-refund.dto';
import { TransactionService } from '../database/transaction.service';
import { ProviderAccountsService } from '../providers/provider-accounts.service';
import { ProviderError } from '../providers/provider-error';
import {
  InvalidPaymentStateError,
  UnprocessableError,
  ValidationError,
} from '../common/errors/domain-error';
import { newId, ID_PREFIX } from '../common/ids/id';
import { redactText } from '../common/logging/redact';

/**
 * Refunds reserve their amount in the same locked transaction that checks what is left
 * (captured − succeeded − pending), so concurrent requests can never refund more than was
 * captured. The provider is called after the reservation commits.
 */
@Injectable()
export class RefundsService {
  private readonly logger = new Logger('Refunds');

  constructor(
    @InjectRepository(Refund) private readonly refunds: Repository<Refund>,
    private readonly payments: PaymentsService,
    private readonly tx: TransactionService,
    private readonly status: PaymentStatusService,
    private readonly accounts: ProviderAccountsService,
  ) {}

  async list(scope: PaymentScope, paymentId: string): Promise<Refund[]> {
    await this.payments.get(scope, paymentId);
    return this.refunds.find({ where: { paymentId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async create(scope: PaymentScope, paymentId: string, dto: CreateRefundDto): Promise<Refund> {
    const payment = await this.payments.get(scope, paymentId);
    if (dto.amount && dto.amount.currency !== payment.currency) {
      throw ValidationError.field(
        'amount.currency',
        `must be the payment's currency ${payment.currency}`,
      );
    }
    const resolved = await this.accounts.resolve(payment.providerAccountId!);
    const caps = resolved.provider.capabilities;
    if (!caps.refunds) throw notSupported(resolved.provider.name, 'refunds');

    const refund = await this.tx.run(async (m) => {
      const locked = (await this.tx.lock(m, Payment, paymentId))!;
      if (!PaymentStateMachine.canRefund(locked.status)) {
        throw new InvalidPaymentStateError(
          `A ${locked.status} payment cannot be refunded; only a paid or partially refunded one`,
        );
      }
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
      if (value < locked.amountCaptured && !caps.partialRefunds)
        throw notSupported(resolved.provider.name, 'partial refunds');
      if (open.length > 0 && !caps.multipleRefunds)
        throw notSupported(resolved.provider.name, 'more than one refund per payment');
      const now = new Date();
      const row: Refund = {
        id: newId(ID_PREFIX.refund),
        paymentId,
        amountValue: value,
        currency: locked.currency,
        status: 'pending',
        reason: dto.reason ?? null,
        providerRefundId: null,
        failureCode: null,
        failureMessage: null,
        createdAt: now,
        updatedAt: now,
      };
      await m.insert(Refund, row);
      await this.status.recordRefundCreated(m, locked, row);
      return row;
    });

    try {
      const result = await resolved.provider.refund(
        resolved.context,
        payment.providerPaymentId!,
        { value: refund.amountValue, currency: refund.currency },
        refund.id,
        refund.reason,
        payment.providerReference ?? null,
      );
      refund.providerRefundId = result.providerRefundId;
      return await this.settle(refund, result.status, undefined);
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      // A timeout is ambiguous (the PSP may have refunded): keep the reservation, let
      // the webhook or the poll settle it. Anything else definitely did not happen.
      if (error.code === 'timeout') {
        this.logger.warn({ msg: 'refund outcome unknown', refundId: refund.id });
        return refund;
      }
      await this.settle(refund, 'failed', { code: error.code, message: redactText(error.message) });
      return this.payments.callProvider(() => Promise.reject(error));
    }
  }

  private settle(
    refund: Refund,
    to: Refund['status'],
    failure?: { code: string; message: string },
  ): Promise<Refund> {
    return this.tx.run(async (m) => {
      const payment = (await this.tx.lock(m, Payment, refund.paymentId))!;
      if (refund.providerRefundId) {
        await m.update(Refund, { id: refund.id }, { providerRefundId: refund.providerRefundId });
      }
      if (to !== 'pending') await this.status.changeRefund(m, payment, refund, to, 'api', failure);
      return refund;
    });
  }
}
