import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Payment, RoutingAttemptRecord } from './entities/payment.entity';
import { PaymentAttempt } from './entities/payment-attempt.entity';
import { PaymentStatusService } from './payment-status.service';
import { TransactionService, Write } from '../database/transaction.service';
import { RowStatements } from '../database/statements/row-statements';
import { RouteCandidate, RouteDecision, RoutingService } from '../routing/routing.service';
import { ProviderAccountsService } from '../providers/provider-accounts.service';
import type { ResolvedAccount } from '../providers/provider-accounts.service';
import { ProviderError } from '../providers/provider-error';
import type { CreatePaymentResult } from '../providers/provider.interface';
import { newId, ID_PREFIX } from '../common/ids/id';
import { redactText } from '../common/logging/redact';
import { MetricsService } from '../metrics/metrics.service';

/** A create's rows go to the database together (one statement on PostgreSQL, see RunOptions). */
const BATCHED = { batchInserts: true };

/**
 * Offers a new payment to the route's candidates in order until one accepts it: each try is an
 * attempt row; a retryable failure moves on to the next candidate, a decline stops. The payment
 * is committed as pending before the first call that could have an effect outside this
 * database, so a crash mid-call leaves a traceable payment; a create that stays local (the test
 * provider) is stored with its outcome in one transaction.
 */
@Injectable()
export class PaymentAttempts {
  private readonly logger = new Logger('Payments');

  constructor(
    private readonly tx: TransactionService,
    private readonly status: PaymentStatusService,
    private readonly routing: RoutingService,
    private readonly accounts: ProviderAccountsService,
    private readonly metrics: MetricsService,
    private readonly rows: RowStatements,
  ) {}

  /** `payment` is new: not stored yet. */
  async run(payment: Payment, decision: RouteDecision): Promise<Payment> {
    const attempts: RoutingAttemptRecord[] = payment.routing!.attempts;
    let stored = false;
    const storePending = async () => {
      if (stored) return;
      await this.tx.run((m) => this.insertNew(m, payment), BATCHED);
      stored = true;
    };
    let lastError: ProviderError | undefined;
    for (const candidate of decision.candidates) {
      const account = candidate.account;
      const notNow = this.routing.admit(decision, candidate);
      if (notNow) {
        attempts.push({ providerAccountId: account.id, outcome: 'skipped', error: notNow });
        continue;
      }
      const started = Date.now();
      let offered: Offered;
      try {
        const resolved = this.accounts.resolveAccount(account, { deadline: decision.deadline });
        if (!resolved.provider.createStaysLocal?.(resolved.context.account)) await storePending();
        offered = await this.offer(payment, decision, resolved);
      } catch (error) {
        await storePending();
        lastError = await this.recordFailure(payment, candidate, started, error);
        if (!lastError.retryable) break; // a decline or a refusal is final; no fallback
        continue;
      }
      // The provider accepted it: a failure to store that (a busy database) is ours, not the
      // provider's, so it is not offered to the next candidate; it reaches the shop (503).
      return this.storeAccepted(payment, decision, candidate, offered, { started, stored });
    }
    await storePending();
    return this.fail(payment, decision, lastError);
  }

  /** The payment as created, with its "created" history row. */
  private async insertNew(m: EntityManager, payment: Payment): Promise<void> {
    await this.rows.insert(m, Payment, payment);
    await this.status.recordCreated(m, payment);
  }

  /** One provider call, with the writes it wants stored with its outcome. */
  private offer(payment: Payment, decision: RouteDecision, resolved: ResolvedAccount) {
    // Writes the provider makes to this database (the test provider's ledger) join the
    // outcome's transaction instead of committing on their own.
    return this.tx.collectWrites((localWrites) =>
      this.routing.withinBudget(decision, () =>
        resolved.provider.createPayment(
          { ...resolved.context, localWrites },
          {
            paymentId: payment.id,
            createdAt: payment.createdAt,
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
          },
        ),
      ),
    );
  }

  /**
   * A provider's acceptance, stored in one transaction with the provider's own writes (and with
   * the payment itself when it was not `stored` yet).
   */
  private async storeAccepted(
    payment: Payment,
    decision: RouteDecision,
    candidate: RouteCandidate,
    { value: result, writes }: Offered,
    { started, stored }: { started: number; stored: boolean },
  ): Promise<Payment> {
    const account = candidate.account;
    this.routing.recordOutcome(account.id);
    payment.routing!.attempts.push({ providerAccountId: account.id, outcome: 'succeeded' });
    payment.routing!.reason = this.routing.explain(decision, payment.routing!.attempts, candidate);
    const accepted = acceptedFields(payment, candidate, result);
    // A copy: if this transaction fails, `payment` still holds what is (or will be) stored.
    const created: Payment = { ...payment, ...accepted };
    const outcome = await this.tx.run(async (m) => {
      const closed = stored ? await this.closedMeanwhile(m, payment.id) : undefined;
      if (!stored) await this.insertNew(m, created);
      for (const write of writes) await write(m);
      await this.rows.insert(
        m,
        PaymentAttempt,
        attemptRow(payment.id, account.id, account.provider, started, {
          outcome: 'succeeded',
          providerPaymentId: result.providerPaymentId,
        }),
      );
      if (closed) return closed;
      if (stored) await this.rows.update(m, Payment, payment.id, accepted);
      if (result.status && result.status !== 'pending') {
        await this.status.changePayment(m, created, { to: result.status, source: 'api' });
      }
      return created;
    }, BATCHED);
    if (outcome !== created) {
      // Its checkout URL is not handed out: nobody can pay a payment that is already closed.
      this.logger.warn({
        msg: 'provider accepted a create that was closed meanwhile',
        paymentId: payment.id,
        accountId: account.id,
        status: outcome.status,
      });
      return outcome;
    }
    this.metrics.paymentsCreated.inc({ provider: account.provider, outcome: 'created' });
    return created;
  }

  /**
   * The stored payment, locked, when it is no longer an open create: reconciliation closes
   * creates that never finished (see ReconciliationService), and a provider call that outlived
   * that wait must not reopen one.
   */
  private async closedMeanwhile(m: EntityManager, paymentId: string): Promise<Payment | undefined> {
    const current = await this.tx.lock(m, Payment, paymentId);
    return current && current.status === 'pending' && !current.providerPaymentId
      ? undefined
      : (current ?? undefined);
  }

  private async recordFailure(
    payment: Payment,
    candidate: RouteCandidate,
    started: number,
    error: unknown,
  ): Promise<ProviderError> {
    const account = candidate.account;
    const failure =
      error instanceof ProviderError
        ? error
        : new ProviderError('provider_error', (error as Error).message);
    this.routing.recordOutcome(account.id, failure);
    const message = redactText(failure.message).slice(0, 1024);
    const outcome = failure.code === 'declined' ? 'declined' : 'failed';
    payment.routing!.attempts.push({
      providerAccountId: account.id,
      outcome,
      error: `${failure.code}: ${message}`,
    });
    await this.tx.write((m) =>
      m.insert(
        PaymentAttempt,
        attemptRow(payment.id, account.id, account.provider, started, {
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
    return failure;
  }

  /** Every candidate failed or was skipped: the payment fails with the last reason. */
  private async fail(
    payment: Payment,
    decision: RouteDecision,
    lastError: ProviderError | undefined,
  ): Promise<Payment> {
    lastError ??= new ProviderError(
      'provider_unavailable',
      'no candidate account could be tried (circuit open or time budget spent)',
    );
    const reason = lastError;
    payment.routing!.reason = this.routing.explain(decision, payment.routing!.attempts);
    const failed = await this.tx.run(async (m) => {
      const locked = (await this.tx.lock(m, Payment, payment.id))!;
      locked.routing = payment.routing;
      await m.update(Payment, { id: payment.id }, { routing: payment.routing });
      await this.status.changePayment(m, locked, {
        to: 'failed',
        source: 'api',
        failure: { code: reason.code, message: redactText(reason.message) },
        detail: 'no provider accepted the payment',
      });
      return locked;
    });
    this.metrics.paymentsCreated.inc({
      provider: 'none',
      outcome: reason.code === 'declined' ? 'declined' : 'failed',
    });
    return failed;
  }
}

type Offered = { value: CreatePaymentResult; writes: Write[] };

function attemptRow(
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

/** What a provider's acceptance sets on the payment. */
function acceptedFields(
  payment: Payment,
  candidate: RouteCandidate,
  result: CreatePaymentResult,
): Partial<Payment> {
  const account = candidate.account;
  return {
    providerName: account.provider,
    providerAccountId: account.id,
    providerPaymentId: result.providerPaymentId,
    providerTestMode: account.testMode,
    checkoutUrl: result.checkoutUrl,
    methodUsed: result.methodUsed?.slice(0, 64) ?? null,
    routing: payment.routing,
    updatedAt: new Date(),
  };
}
