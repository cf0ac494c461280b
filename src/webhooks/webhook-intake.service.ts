import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, Repository } from 'typeorm';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookProcessorService } from './webhook-processor.service';
import { ProviderAccountsService, ResolvedAccount } from '../providers/provider-accounts.service';
import { ReconciliationService } from '../reconciliation/reconciliation.service';
import { WebhookAck } from '../providers/provider.interface';
import { WebhookVerificationError } from '../providers/provider-error';
import { TransactionService, isUniqueViolation } from '../database/transaction.service';
import { DomainError, NotFoundError } from '../common/errors/domain-error';
import { sha256Hex } from '../common/http/stable-json';
import { newId, ID_PREFIX } from '../common/ids/id';
import { MetricsService } from '../metrics/metrics.service';

const MAX_BODY_CHARS = 1_000_000;
const RETRY_INTERVAL_MS = 30_000;
const MAX_PROCESSING_ATTEMPTS = 12;

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
 * The intake of provider webhooks: verify, store durably (the inbox), dedupe exact repeats,
 * then apply. A delivery that was stored but could not be applied is retried from the inbox.
 */
@Injectable()
export class WebhookIntakeService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('WebhookIntake');
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectRepository(WebhookDelivery) private readonly deliveries: Repository<WebhookDelivery>,
    private readonly accounts: ProviderAccountsService,
    private readonly processor: WebhookProcessorService,
    private readonly reconciliation: ReconciliationService,
    private readonly tx: TransactionService,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.retryPending(), RETRY_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async receive(
    provider: string,
    accountId: string,
    headers: Record<string, string | string[] | undefined>,
    rawBody: Buffer,
  ): Promise<WebhookAck> {
    const account = await this.accounts.find(accountId);
    if (!account || account.provider !== provider) {
      // The path is the sender's to choose: only a known account's provider becomes a label.
      this.count('unknown', 'unknown_account');
      throw new NotFoundError('Webhook endpoint', `${provider}/${accountId}`);
    }
    const resolved = this.accounts.resolveAccount(account);
    const flatHeaders = this.flatten(headers);
    try {
      await resolved.provider.verifyWebhook(resolved.context, { headers: flatHeaders, rawBody });
    } catch (error) {
      if (error instanceof WebhookVerificationError) {
        this.logger.warn({ msg: 'webhook signature rejected', provider, accountId });
        this.count(account.provider, 'rejected_signature');
        await this.pollInsteadOfTrusting(resolved, flatHeaders, rawBody);
        throw new WebhookSignatureError();
      }
      this.count(account.provider, 'error');
      throw error;
    }

    const body = rawBody.toString('utf8');
    const id = newId(ID_PREFIX.webhookDelivery);
    const dedupeKey = resolved.provider.webhookDedupeKey
      ? resolved.provider.webhookDedupeKey({ headers: flatHeaders, rawBody })
      : rawBody;
    const delivery: WebhookDelivery = {
      id,
      provider,
      providerAccountId: accountId,
      // A null key (the provider cannot tell repeats apart) makes every delivery distinct.
      bodyHash: sha256Hex(dedupeKey === null ? id : dedupeKey),
      headers: Object.fromEntries(
        Object.entries(flatHeaders).filter(([name]) => KEPT_HEADERS.test(name)),
      ),
      body: body.slice(0, MAX_BODY_CHARS),
      status: 'received',
      processingAttempts: 0,
      error: null,
      receivedAt: new Date(),
      processedAt: null,
    };
    try {
      await this.tx.write((m) => m.insert(WebhookDelivery, delivery));
    } catch (error) {
      if (!isUniqueViolation(error)) {
        this.count(account.provider, 'error');
        throw error;
      }
      this.logger.log({ msg: 'duplicate webhook ignored', provider, accountId });
      this.count(account.provider, 'duplicate');
      return resolved.provider.webhookAck();
    }
    // Stored: from here on the delivery cannot be lost, so the provider gets its answer
    // even if applying it fails now (the inbox retry picks it up).
    const applied = await this.processor.process(delivery, resolved);
    this.count(account.provider, applied ? 'accepted' : 'accepted_retry_pending');
    return resolved.provider.webhookAck();
  }

  private count(provider: string, outcome: string): void {
    this.metrics.webhooksReceived.inc({ provider, outcome });
  }

  /**
   * An unverifiable webhook is never applied, but where the provider can be polled its
   * payment is looked up at the provider instead (rate limited per payment).
   */
  private async pollInsteadOfTrusting(
    resolved: ResolvedAccount,
    headers: Record<string, string>,
    rawBody: Buffer,
  ): Promise<void> {
    if (!resolved.provider.capabilities.polling) return;
    try {
      const notifications = await resolved.provider.parseWebhook(resolved.context, {
        headers,
        rawBody,
      });
      for (const { providerPaymentId } of notifications.slice(0, 5)) {
        await this.reconciliation.pollByProviderId(resolved.account.id, providerPaymentId);
      }
    } catch {
      // Unparseable or unknown: nothing to poll.
    }
  }

  async retryPending(): Promise<void> {
    try {
      const due = await this.deliveries.find({
        where: {
          status: In(['received', 'failed']),
          receivedAt: LessThan(new Date(Date.now() - RETRY_INTERVAL_MS)),
          processingAttempts: LessThan(MAX_PROCESSING_ATTEMPTS),
        },
        order: { receivedAt: 'ASC' },
        take: 50,
      });
      for (const delivery of due) {
        const account = await this.accounts.find(delivery.providerAccountId);
        if (account) await this.processor.process(delivery, this.accounts.resolveAccount(account));
      }
    } catch (error) {
      this.logger.warn({ msg: 'inbox retry failed', error: (error as Error).message });
    }
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
