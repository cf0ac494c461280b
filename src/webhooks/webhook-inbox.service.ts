import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { Repository } from 'typeorm';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookProcessorService } from './webhook-processor.service';
import { ListProviderWebhooksQuery } from './dto/provider-webhook.dto';
import { ConflictError, NotFoundError } from '../common/errors/domain-error';
import { keysetPage } from '../common/http/keyset-page';
import { DEFAULT_PAGE_SIZE } from '../common/http/page.query';
import type { Page } from '../common/http/page';

/**
 * The provider webhook inbox for operators: every stored delivery, the failed and dead ones
 * included, and a replay that runs one through the same processing as its first arrival.
 */
@Injectable()
export class WebhookInboxService {
  private readonly logger = new Logger('WebhookInbox');

  constructor(
    @InjectRepository(WebhookDelivery) private readonly deliveries: Repository<WebhookDelivery>,
    private readonly processor: WebhookProcessorService,
  ) {}

  /** Newest first, keyset-paged on (receivedAt, id). */
  async list(query: ListProviderWebhooksQuery): Promise<Page<WebhookDelivery>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const qb = this.deliveries.createQueryBuilder('w');
    if (query.providerAccountId)
      qb.andWhere('w.providerAccountId = :account', { account: query.providerAccountId });
    if (query.status) qb.andWhere('w.status = :status', { status: query.status });
    if (query.paymentId) qb.andWhere('w.paymentId = :paymentId', { paymentId: query.paymentId });
    return keysetPage(qb, { cursor: query.cursor, limit, key: 'receivedAt' });
  }

  async get(id: string): Promise<WebhookDelivery> {
    const delivery = await this.deliveries.findOneBy({ id });
    if (!delivery) throw new NotFoundError('Provider webhook', id);
    return delivery;
  }

  /**
   * Processes a stored delivery again, whatever its status, through the same path as the
   * intake and the retry job: signed fields checked again (a rejected one stays rejected while
   * they contradict the payment), an unsigned one's state fetched again, and an update that is
   * already applied changes nothing (the state machine ignores repeats).
   */
  async replay(id: string): Promise<WebhookDelivery> {
    await this.get(id);
    const token = randomBytes(16).toString('hex');
    if (!(await this.processor.claimForReplay(id, token))) {
      throw new ConflictError(
        'webhook_delivery_busy',
        `Provider webhook ${id} is being processed right now; try again when it is done`,
      );
    }
    const delivery = await this.deliveries.findOneBy({ id, leaseToken: token });
    if (!delivery) throw new NotFoundError('Provider webhook', id);
    const before = delivery.status;
    const outcome = await this.processor.processClaimed(delivery, token);
    this.logger.log({
      msg: 'provider webhook replayed',
      deliveryId: id,
      provider: delivery.provider,
      providerAccountId: delivery.providerAccountId,
      from: before,
      outcome,
    });
    return this.get(id);
  }
}
