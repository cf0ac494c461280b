import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { In, Repository } from 'typeorm';
import { OPEN_WEBHOOK_STATUSES, WebhookDelivery } from './webhook-delivery.entity';
import { WEBHOOK_LEASE_MS, WebhookProcessorService } from './webhook-processor.service';
import { WebhookPaymentFinder } from './webhook-payment.finder';
import { DirectOutcome, WebhookDirectProcessor } from './webhook-direct.processor';
import { WebhookPollBudget } from './webhook-poll.budget';
import { ProviderAccountsService, ResolvedAccount } from '../providers/provider-accounts.service';
import { InboundWebhook, WebhookAck } from '../providers/provider.interface';
import { WebhookVerificationError } from '../providers/provider-error';
import { Payment } from '../payments/entities/payment.entity';
import { TransactionService, isUniqueViolation } from '../database/transaction.service';
import { DomainError, NotFoundError } from '../common/errors/domain-error';
import { sha256Hex } from '../common/http/stable-json';
import { MAX_JSON_DEPTH, scanJson } from '../common/http/json-scan';
import { redactText } from '../common/logging/redact';
import { newId, ID_PREFIX } from '../common/ids/id';
import { MetricsService } from '../metrics/metrics.service';
import { RoutingRuleCache } from '../routing/routing-rule.cache';
import type { ProviderAccount } from '../providers/provider-account.entity';

const MAX_BODY_CHARS = 1_000_000;
/** Items of a body read for the payments it names: a 200-item body costs no more than a 5-item one. */
const MAX_REFERENCE_ITEMS = 5;

/** Headers worth keeping with a delivery (signatures, content type); never cookies or auth. */
const KEPT_HEADERS =
  /^(content-type|user-agent|[a-z0-9-]*signature[a-z0-9-]*|auth|paypal-[a-z-]+|webhook-[a-z-]+|x-[a-z0-9-]+)$/;

export class WebhookSignatureError extends DomainError {
  constructor() {
    super(
      'invalid_signature',
      401,
      'Invalid webhook signature',
      'The webhook signature could not be verified',
    );
  }
}

/**
 * The intake of provider webhooks. Verify first, at no provider cost: a delivery that fails is
 * answered 401 at once and costs no provider call (the scheduled reconciliation finds out what a
 * genuine but unverifiable delivery would have said). A verified delivery (or an unsigned one that names a local
 * payment) is stored durably (the inbox), exact repeats are dropped, then it is processed; a
 * failure is retried from the inbox by WebhookRetryJob.
 */
@Injectable()
export class WebhookIntakeService {
  private readonly logger = new Logger('WebhookIntake');

  constructor(
    @InjectRepository(WebhookDelivery) private readonly deliveries: Repository<WebhookDelivery>,
    private readonly accounts: ProviderAccountsService,
    private readonly processor: WebhookProcessorService,
    private readonly direct: WebhookDirectProcessor,
    private readonly finder: WebhookPaymentFinder,
    private readonly budget: WebhookPollBudget,
    private readonly tx: TransactionService,
    private readonly metrics: MetricsService,
    private readonly routingCache: RoutingRuleCache,
  ) {}

  async receive(
    provider: string,
    accountId: string,
    headers: Record<string, string | string[] | undefined>,
    rawBody: Buffer,
  ): Promise<WebhookAck> {
    const account = await this.currentAccount(accountId);
    if (!account || account.provider !== provider) {
      // The path is the sender's to choose: only a known account's provider becomes a label.
      this.count('unknown', 'unknown_account');
      throw new NotFoundError('Webhook endpoint', `${provider}/${accountId}`);
    }
    const resolved = this.accounts.resolveAccount(account);
    const webhook: InboundWebhook = { headers: this.flatten(headers), rawBody };
    let named: Promise<Payment[]> | undefined;
    const namedPayments = () => (named ??= this.namedPayments(resolved, webhook));
    try {
      // No provider sends this; refused unparsed like any body that cannot be verified (Adyen,
      // whose signature is inside the JSON, would otherwise parse it first).
      if (scanJson(rawBody) === 'too_deep')
        throw new WebhookVerificationError(`body nests deeper than ${MAX_JSON_DEPTH} levels`);
      await resolved.provider.verifyWebhook(resolved.context, webhook, {
        // A download for verification (PayPal's certificate) only for a body naming a local payment, within the budget.
        mayFetch: async () =>
          (await namedPayments()).length > 0 && this.spend(account.id, account.provider),
      });
    } catch (error) {
      if (error instanceof WebhookVerificationError) {
        this.logger.warn({
          msg: 'webhook signature rejected',
          provider,
          accountId,
          reason: error.message,
        });
        this.count(account.provider, 'rejected_signature');
        throw new WebhookSignatureError();
      }
      this.count(account.provider, 'error');
      throw error;
    }
    if (!resolved.provider.unsignedWebhooks)
      return this.store(
        resolved,
        webhook,
        true,
        async () => (await namedPayments())[0]?.id ?? null,
      );
    const payments = await namedPayments();

    // Unsigned (Mollie): nothing in it is trusted; it only says "look at this payment".
    if (payments.length === 0) {
      // No provider call, no inbox row; 200 so as not to tell which ids exist.
      this.logger.log({
        msg: 'unsigned webhook names no local payment; ignored',
        provider,
        accountId,
      });
      this.count(account.provider, 'unknown_payment');
      return resolved.provider.webhookAck();
    }
    if (await this.joinOpenDelivery(account.id, payments[0].id)) {
      this.count(account.provider, 'coalesced');
      return resolved.provider.webhookAck();
    }
    return this.store(resolved, webhook, false, () => Promise.resolve(payments[0].id));
  }

  /**
   * The account as of now, kept with the routing state: every write to an account bumps the
   * routing version, which this request reads anyway (shared with the requests of the same
   * event-loop turn), so a webhook costs no account query while nothing changed.
   */
  private currentAccount(id: string): Promise<ProviderAccount | null> {
    return this.routingCache.rememberFound(`webhook-account:${id}`, () => this.accounts.find(id));
  }

  private async store(
    resolved: ResolvedAccount,
    webhook: InboundWebhook,
    verified: boolean,
    paymentIdOf: () => Promise<string | null>,
  ): Promise<WebhookAck> {
    const { account, provider } = resolved;
    const id = newId(ID_PREFIX.webhookDelivery);
    const token = randomBytes(16).toString('hex');
    const now = new Date();
    const dedupeKey = provider.webhookDedupeKey
      ? provider.webhookDedupeKey(webhook)
      : webhook.rawBody;
    const delivery: WebhookDelivery = {
      id,
      provider: account.provider,
      providerAccountId: account.id,
      // A null key (the provider cannot tell repeats apart) makes every delivery distinct.
      bodyHash: sha256Hex(dedupeKey === null ? id : dedupeKey),
      headers: Object.fromEntries(
        Object.entries(webhook.headers).filter(([name]) => KEPT_HEADERS.test(name)),
      ),
      body: webhook.rawBody.toString('utf8').slice(0, MAX_BODY_CHARS),
      status: 'received',
      verified,
      paymentId: null,
      attempts: 0,
      nextAttemptAt: now,
      lastAttemptAt: null,
      leaseToken: null,
      leaseExpiresAt: null,
      error: null,
      receivedAt: now,
      processedAt: null,
    };
    try {
      const direct = await this.directly(delivery, resolved, webhook);
      if (direct) {
        this.count(account.provider, direct === 'processed' ? 'accepted' : 'accepted_rejected');
        return provider.webhookAck();
      }
      // Stored before processing: due at once should this instance die before it is
      // processed, held by us until then.
      delivery.paymentId = await paymentIdOf();
      delivery.leaseToken = token;
      delivery.leaseExpiresAt = new Date(now.getTime() + WEBHOOK_LEASE_MS);
      // Every column is set here: nothing to read back after the insert.
      await this.tx.write((m) =>
        m
          .createQueryBuilder()
          .insert()
          .into(WebhookDelivery)
          .values(delivery)
          .updateEntity(false)
          .execute(),
      );
    } catch (error) {
      if (!isUniqueViolation(error)) {
        this.count(account.provider, 'error');
        throw error;
      }
      this.logger.log({
        msg: 'duplicate webhook ignored',
        provider: account.provider,
        accountId: account.id,
      });
      this.count(account.provider, 'duplicate');
      return provider.webhookAck();
    }
    // Stored: from here on the delivery cannot be lost, so the provider gets its answer even
    // if processing fails now (the retry job picks it up).
    const outcome = await this.processor.process(delivery, resolved, token);
    this.count(
      account.provider,
      outcome === 'processed'
        ? 'accepted'
        : outcome === 'rejected'
          ? 'accepted_rejected'
          : 'accepted_retry_pending',
    );
    return provider.webhookAck();
  }

  /**
   * Stored and applied in one transaction when the delivery needs nothing from the provider;
   * undefined when it was not (nothing written). A failure other than a repeat is left to the
   * stored path below, which keeps the delivery and records the failure for the retry job.
   */
  private async directly(
    delivery: WebhookDelivery,
    resolved: ResolvedAccount,
    webhook: InboundWebhook,
  ): Promise<DirectOutcome | undefined> {
    try {
      return await this.direct.storeAndApply(delivery, resolved, webhook);
    } catch (error) {
      if (isUniqueViolation(error)) throw error;
      // Rolled back whole; said once here, as a failure on the stored path is said there too.
      this.logger.warn({
        msg: 'webhook not applied in one transaction; storing it first',
        provider: delivery.provider,
        accountId: delivery.providerAccountId,
        error: redactText((error as Error).message ?? String(error)).slice(0, 1024),
      });
      return undefined;
    }
  }

  /**
   * Another unsigned delivery for the same payment is still open: it fetches the latest state
   * anyway, so this one only brings it forward instead of adding a row (a flood of one id
   * keeps one row).
   */
  private async joinOpenDelivery(accountId: string, paymentId: string): Promise<boolean> {
    const open = await this.deliveries.findOne({
      where: {
        providerAccountId: accountId,
        paymentId,
        verified: false,
        status: In([...OPEN_WEBHOOK_STATUSES]),
      },
      order: { receivedAt: 'DESC' },
    });
    if (!open) return false;
    const now = new Date();
    if (open.nextAttemptAt && open.nextAttemptAt > now) {
      await this.tx.write((m) =>
        m.update(
          WebhookDelivery,
          { id: open.id, status: In([...OPEN_WEBHOOK_STATUSES]) },
          { nextAttemptAt: now },
        ),
      );
    }
    return true;
  }

  /** The local payments a body names (read without trusting it); nothing for an unreadable body. */
  private async namedPayments(
    resolved: ResolvedAccount,
    webhook: InboundWebhook,
  ): Promise<Payment[]> {
    const refs = resolved.provider.webhookReferences(webhook, MAX_REFERENCE_ITEMS);
    return this.finder.named(resolved.account.id, refs.slice(0, MAX_REFERENCE_ITEMS * 2));
  }

  private spend(accountId: string, provider: string): boolean {
    const allowed = this.budget.take(accountId);
    this.metrics.webhookPolls.inc({ provider, outcome: allowed ? 'allowed' : 'over_budget' });
    return allowed;
  }

  private count(provider: string, outcome: string): void {
    this.metrics.webhooksReceived.inc({ provider, outcome });
  }

  private flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (value !== undefined)
        out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    return out;
  }
}
