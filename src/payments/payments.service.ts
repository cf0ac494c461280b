import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Payment } from './entities/payment.entity';
import { PaymentEvent } from './entities/payment-event.entity';
import { forbiddenInStatus, PaymentStateMachine } from './payment-state-machine';
import { CreatePaymentDto } from './dto/create-payment.dto';
import { CapturePaymentDto } from './dto/capture-payment.dto';
import { ListPaymentsQuery } from './dto/list-payments.query';
import { applyPaymentFilters } from './payment-filters';
import type { AttentionFilter } from './payment-filters';
import { Integration } from '../integrations/integration.entity';
import { RoutingService } from '../routing/routing.service';
import { routingRequestOf } from '../routing/routing-request';
import { ProviderAccountsService } from '../providers/provider-accounts.service';
import type { ProviderAccount } from '../providers/provider-account.entity';
import { expiryProblem, orderDetailsErrors } from './order-details.validation';
import { newId, ID_PREFIX } from '../common/ids/id';
import {
  InvalidPaymentStateError,
  NotFoundError,
  UnprocessableError,
  ValidationError,
} from '../common/errors/domain-error';
import { keysetPage } from '../common/http/keyset-page';
import { DEFAULT_PAGE_SIZE } from '../common/http/page.query';
import { refusal } from '../providers/capabilities';
import { PaymentOperationsService } from './operations/payment-operations.service';
import { PaymentAttempts } from './payment-attempts';

/** Which payments a caller may see: one integration's, or (admin) all. */
export interface PaymentScope {
  integrationId?: string;
  provider?: string;
  /** Admin lists only: payments with (or without) an operation open since before a cutoff. */
  attention?: AttentionFilter;
}

export function notSupported(provider: string, what: string): UnprocessableError {
  return new UnprocessableError(
    'not_supported_by_provider',
    'Not supported by provider',
    `${provider} does not support ${what}`,
  );
}

@Injectable()
export class PaymentsService {
  constructor(
    @InjectRepository(Payment) private readonly payments: Repository<Payment>,
    @InjectRepository(PaymentEvent) private readonly history: Repository<PaymentEvent>,
    private readonly routing: RoutingService,
    private readonly accounts: ProviderAccountsService,
    private readonly operations: PaymentOperationsService,
    private readonly attempts: PaymentAttempts,
  ) {}

  async create(integration: Integration, dto: CreatePaymentDto): Promise<Payment> {
    const captureMode = dto.captureMode ?? 'automatic';
    const problems = orderDetailsErrors(dto);
    if (problems.length > 0) throw new ValidationError(problems);
    const decision = await this.routing.route(integration, routingRequestOf(dto));

    this.refuseExpiry(dto, decision.candidates[0]?.account);

    const now = new Date();
    const payment: Payment = {
      id: newId(ID_PREFIX.payment),
      integrationId: integration.id,
      status: 'pending',
      amountValue: dto.amount.value,
      currency: dto.amount.currency,
      amountCaptured: 0,
      amountRefunded: 0,
      description: dto.description,
      reference: dto.reference,
      method: dto.method ?? null,
      methodUsed: null,
      captureMode,
      customer: dto.customer ? { ...dto.customer } : null,
      metadata: dto.metadata ?? null,
      orderLines: dto.lines ? dto.lines.map((line) => ({ ...line })) : null,
      billingAddress: dto.billingAddress ? { ...dto.billingAddress } : null,
      shippingAddress: dto.shippingAddress ? { ...dto.shippingAddress } : null,
      expiresAt: dto.expiresAt ? new Date(dto.expiresAt) : null,
      returnUrl: dto.returnUrl,
      cancelUrl: dto.cancelUrl ?? null,
      checkoutUrl: null,
      providerName: null,
      providerAccountId: null,
      providerPaymentId: null,
      routing: {
        ruleId: decision.ruleId,
        reason: decision.reason,
        attempts: [...decision.skipped],
      },
      failureCode: null,
      failureMessage: null,
      lastPolledAt: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    // Stored by the attempts: before any provider call with effects elsewhere, so a crash
    // mid-call leaves a traceable pending payment.
    return this.attempts.run(payment, decision);
  }

  async get(scope: PaymentScope, id: string): Promise<Payment> {
    const payment = await this.payments.findOneBy({
      id,
      ...(scope.integrationId ? { integrationId: scope.integrationId } : {}),
    });
    // Another integration's payment is "not found", never "forbidden".
    if (!payment) throw new NotFoundError('Payment', id);
    return payment;
  }

  async list(
    scope: PaymentScope,
    query: ListPaymentsQuery,
  ): Promise<{ data: Payment[]; nextCursor: string | null }> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const qb = applyPaymentFilters(this.payments.createQueryBuilder('p'), scope, query);
    return keysetPage(qb, { cursor: query.cursor, limit, key: 'createdAt' });
  }

  async events(scope: PaymentScope, id: string): Promise<PaymentEvent[]> {
    await this.get(scope, id);
    return this.history.find({
      where: { paymentId: id },
      order: { sequence: 'ASC', createdAt: 'ASC' },
    });
  }

  /**
   * Captures through a recorded operation: a lost answer leaves the payment authorized with the
   * capture pending (shown as `pendingOperation`), never a 502 that hides a capture that happened.
   */
  async capture(scope: PaymentScope, id: string, dto: CapturePaymentDto): Promise<Payment> {
    const payment = await this.get(scope, id);
    if (!PaymentStateMachine.canCapture(payment.status)) {
      throw forbiddenInStatus('capture', payment.status);
    }
    const resolved = await this.accounts.resolve(payment.providerAccountId!);
    const amount = dto.amount ?? { value: payment.amountValue, currency: payment.currency };
    if (amount.currency !== payment.currency)
      throw ValidationError.field(
        'amount.currency',
        `must be the payment's currency ${payment.currency}`,
      );
    if (amount.value > payment.amountValue)
      throw ValidationError.field(
        'amount.value',
        `must not exceed the authorized ${payment.amountValue}`,
      );
    const refused = refusal(resolved.provider, {
      method: payment.method,
      features: amount.value < payment.amountValue ? ['partialCapture'] : [],
    });
    if (refused) throw notSupported(resolved.provider.name, refused.what);
    return this.operations.perform(payment.id, resolved, 'capture', amount);
  }

  /** Cancels through a recorded operation, like capture. */
  async cancel(scope: PaymentScope, id: string): Promise<Payment> {
    const payment = await this.get(scope, id);
    if (!PaymentStateMachine.canCancel(payment.status)) {
      throw forbiddenInStatus('cancel', payment.status);
    }
    if (!payment.providerAccountId)
      throw new InvalidPaymentStateError('The payment never reached a provider');
    const resolved = await this.accounts.resolve(payment.providerAccountId);
    const refused = refusal(resolved.provider, { method: payment.method, features: ['cancel'] });
    if (refused) throw notSupported(resolved.provider.name, refused.what);
    return this.operations.perform(payment.id, resolved, 'cancel', null);
  }

  /** An expiry the first-choice provider cannot keep is refused before anything is stored. */
  private refuseExpiry(dto: CreatePaymentDto, account: ProviderAccount | undefined): void {
    const provider = dto.expiresAt && account ? this.accounts.providerOf(account) : undefined;
    const problem = provider ? expiryProblem(new Date(dto.expiresAt!), provider) : null;
    if (problem) throw ValidationError.field('expiresAt', problem);
  }
}
