import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, Repository } from 'typeorm';
import { Payment, RoutingAttemptRecord } from './entities/payment.entity';
import { PaymentAttempt } from './entities/payment-attempt.entity';
import { PaymentEvent } from './entities/payment-event.entity';
import { PaymentStatusService } from './payment-status.service';
import { PaymentStateMachine } from './payment-state-machine';
import { CreatePaymentDto } from './dto/create-payment.dto';
import { CapturePaymentDto } from './dto/capture-payment.dto';
import { ListPaymentsQuery } from './dto/list-payments.query';
import { applyPaymentFilters } from './payment-filters';
import { TransactionService } from '../database/transaction.service';
import { Integration } from '../integrations/integration.entity';
import { RoutingService } from '../routing/routing.service';
import { routingRequestOf } from '../routing/routing-request';
import { ProviderAccountsService } from '../providers/provider-accounts.service';
import { ProviderError } from '../providers/provider-error';
import type { ProviderAccount } from '../providers/provider-account.entity';
import { expiryProblem, orderDetailsErrors } from './order-details.validation';
import { newId, ID_PREFIX } from '../common/ids/id';
import {
  InvalidPaymentStateError,
  NotFoundError,
  UnprocessableError,
  ValidationError,
} from '../common/errors/domain-error';
import { redactText } from '../common/logging/redact';
import { decodeCursor, encodeCursor } from '../common/http/cursor';
import { DEFAULT_PAGE_SIZE } from '../common/http/page.query';
import { MetricsService } from '../metrics/metrics.service';
import { refusal } from '../providers/capabilities';
import { PaymentOperationsService } from './operations/payment-operations.service';

/** Which payments a caller may see: one integration's, or (admin) all. */
export interface PaymentScope {
  integrationId?: string;
  provider?: string;
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
  private readonly logger = new Logger('Payments');

  constructor(
    @InjectRepository(Payment) private readonly payments: Repository<Payment>,
    @InjectRepository(PaymentEvent) private readonly history: Repository<PaymentEvent>,
    private readonly tx: TransactionService,
    private readonly status: PaymentStatusService,
    private readonly routing: RoutingService,
    private readonly accounts: ProviderAccountsService,
    private readonly metrics: MetricsService,
    private readonly operations: PaymentOperationsService,
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
    // Stored before any provider call: a crash mid-call leaves a traceable pending payment.
    await this.tx.run(async (m) => {
      await m.insert(Payment, payment);
      await this.status.recordCreated(m, payment);
    });

    const attempts: RoutingAttemptRecord[] = payment.routing!.attempts;
    let lastError: ProviderError | undefined;
    for (const candidate of decision.candidates) {
      const account = candidate.account;
      const notNow = this.routing.admit(decision, candidate);
      if (notNow) {
        attempts.push({ providerAccountId: account.id, outcome: 'skipped', error: notNow });
        continue;
      }
      const resolved = this.accounts.resolveAccount(account, { deadline: decision.deadline });
      const started = Date.now();
      try {
        const result = await this.routing.withinBudget(decision, () =>
          resolved.provider.createPayment(resolved.context, {
            paymentId: payment.id,
            amount: { value: payment.amountValue, currency: payment.currency },
            description: payment.description,
            reference: payment.reference,
            returnUrl: payment.returnUrl,
            cancelUrl: payment.cancelUrl,
            method: payment.method,
            captureMode: payment.captureMode,
            customer: payment.customer,
            metadata: payment.metadata,
            lines: payment.orderLines ?? null,
            billingAddress: payment.billingAddress ?? null,
            shippingAddress: payment.shippingAddress ?? null,
            expiresAt: payment.expiresAt ?? null,
          }),
        );
        this.routing.recordOutcome(account.id);
        attempts.push({ providerAccountId: account.id, outcome: 'succeeded' });
        payment.routing!.reason = this.routing.explain(decision, attempts, candidate);
        const created = await this.tx.run(async (m) => {
          await m.insert(
            PaymentAttempt,
            this.attemptRow(payment.id, account.id, account.provider, started, {
              outcome: 'succeeded',
              providerPaymentId: result.providerPaymentId,
            }),
          );
          Object.assign(payment, {
            providerName: account.provider,
            providerAccountId: account.id,
            providerPaymentId: result.providerPaymentId,
            providerTestMode: account.testMode,
            checkoutUrl: result.checkoutUrl,
            methodUsed: result.methodUsed?.slice(0, 64) ?? null,
            updatedAt: new Date(),
          });
          await m.update(
            Payment,
            { id: payment.id },
            {
              providerName: payment.providerName,
              providerAccountId: payment.providerAccountId,
              providerPaymentId: payment.providerPaymentId,
              providerTestMode: payment.providerTestMode,
              checkoutUrl: payment.checkoutUrl,
              methodUsed: payment.methodUsed,
              routing: payment.routing,
              updatedAt: payment.updatedAt,
            },
          );
          if (result.status && result.status !== 'pending') {
            await this.status.changePayment(m, payment, { to: result.status, source: 'api' });
          }
          return payment;
        });
        this.metrics.paymentsCreated.inc({ provider: account.provider, outcome: 'created' });
        return created;
      } catch (error) {
        const failure =
          error instanceof ProviderError
            ? error
            : new ProviderError('provider_error', (error as Error).message);
        lastError = failure;
        this.routing.recordOutcome(account.id, failure);
        const message = redactText(failure.message).slice(0, 1024);
        const outcome = failure.code === 'declined' ? 'declined' : 'failed';
        attempts.push({
          providerAccountId: account.id,
          outcome,
          error: `${failure.code}: ${message}`,
        });
        await this.tx.write((m) =>
          m.insert(
            PaymentAttempt,
            this.attemptRow(payment.id, account.id, account.provider, started, {
              outcome,
              errorCode: failure.code,
              errorMessage: message,
              retryable: failure.retryable,
            }),
          ),
        );
        this.logger.warn({
          msg: 'provider create failed',
          paymentId: payment.id,
          accountId: account.id,
          code: failure.code,
          retryable: failure.retryable,
        });
        if (!failure.retryable) break; // a decline or a refusal is final; no fallback
      }
    }

    // Every candidate failed or was skipped: the payment fails with the last reason.
    lastError ??= new ProviderError(
      'provider_unavailable',
      'no candidate account could be tried (circuit open or time budget spent)',
    );
    payment.routing!.reason = this.routing.explain(decision, attempts);
    const failed = await this.tx.run(async (m) => {
      const locked = (await this.tx.lock(m, Payment, payment.id))!;
      locked.routing = payment.routing;
      await m.update(Payment, { id: payment.id }, { routing: payment.routing });
      await this.status.changePayment(m, locked, {
        to: 'failed',
        source: 'api',
        failure: {
          code: lastError?.code ?? 'provider_error',
          message: redactText(lastError?.message ?? 'no provider accepted the payment'),
        },
        detail: 'no provider accepted the payment',
      });
      return locked;
    });
    this.metrics.paymentsCreated.inc({
      provider: 'none',
      outcome: lastError.code === 'declined' ? 'declined' : 'failed',
    });
    return failed;
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
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor);
      qb.andWhere(
        new Brackets((w) =>
          w
            .where('p.createdAt < :cAt', { cAt: cursor.at })
            .orWhere(
              new Brackets((w2) =>
                w2
                  .where('p.createdAt = :cAt', { cAt: cursor.at })
                  .andWhere('p.id < :cId', { cId: cursor.id }),
              ),
            ),
        ),
      );
    }
    qb.orderBy('p.createdAt', 'DESC')
      .addOrderBy('p.id', 'DESC')
      .take(limit + 1);
    const rows = await qb.getMany();
    const data = rows.slice(0, limit);
    const last = data[data.length - 1];
    return {
      data,
      nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
    };
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
      throw new InvalidPaymentStateError(
        `A ${payment.status} payment cannot be captured; only an authorized one`,
      );
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
      throw new InvalidPaymentStateError(
        `A ${payment.status} payment cannot be canceled; only a pending or authorized one`,
      );
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

  private attemptRow(
    paymentId: string,
    providerAccountId: string,
    provider: string,
    started: number,
    fields: Partial<PaymentAttempt>,
  ): PaymentAttempt {
    return {
      id: newId(ID_PREFIX.attempt),
      paymentId,
      providerAccountId,
      provider,
      outcome: 'started',
      errorCode: null,
      errorMessage: null,
      retryable: null,
      providerPaymentId: null,
      durationMs: Date.now() - started,
      createdAt: new Date(started),
      ...fields,
    };
  }
}
