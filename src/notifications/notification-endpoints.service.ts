import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { In, IsNull, Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app.config';
import { SecretBox } from '../common/crypto/secret-box';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors/domain-error';
import { newId } from '../common/ids/id';
import { keysetPage } from '../common/http/keyset-page';
import { mapPage } from '../common/http/page';
import { TransactionService } from '../database/transaction.service';
import { bumpEndpointsVersion } from '../routing/routing-version';
import { AuditService } from '../audit/audit.service';
import { Integration } from '../integrations/integration.entity';
import { NotificationEndpoint } from './notification-endpoint.entity';
import { NotificationDelivery, DeliveryStatus } from './notification-delivery.entity';
import { DeliveryAttempt } from './delivery-attempt.entity';
import { NOTIFICATION_ID_PREFIX } from './notification-ids';
import { TargetGuard, TargetRefusedError } from './target-guard';
import { DEFAULT_EXCHANGE } from './channels/rabbitmq.channel';
import type {
  CreateNotificationEndpointDto,
  ListDeliveriesQuery,
  ListEndpointsQuery,
  UpdateNotificationEndpointDto,
} from './dto/notification-endpoint.dto';

export type DeliveryCounts = Record<DeliveryStatus, number>;

const DEFAULT_GRACE_SECONDS = 86_400;

/** Notification endpoints (admin API), their secrets, deliveries and counts. */
@Injectable()
export class NotificationEndpointsService {
  constructor(
    @InjectRepository(NotificationEndpoint)
    private readonly endpoints: Repository<NotificationEndpoint>,
    @InjectRepository(NotificationDelivery)
    private readonly deliveries: Repository<NotificationDelivery>,
    @InjectRepository(DeliveryAttempt) private readonly attempts: Repository<DeliveryAttempt>,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    private readonly secretBox: SecretBox,
    private readonly guard: TargetGuard,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  static newSecret(): string {
    return `whsec_${randomBytes(32).toString('base64')}`;
  }

  async create(
    dto: CreateNotificationEndpointDto,
  ): Promise<{ endpoint: NotificationEndpoint; secret?: string }> {
    const now = new Date();
    const endpoint: NotificationEndpoint = {
      id: newId(NOTIFICATION_ID_PREFIX.endpoint),
      integrationId: dto.integrationId,
      type: dto.type,
      url: null,
      exchange: null,
      routingKeyPrefix: null,
      events: dto.events,
      enabled: dto.enabled ?? true,
      disabledReason: null,
      secretSealed: null,
      previousSecretSealed: null,
      previousSecretExpiresAt: null,
      createdAt: now,
      updatedAt: now,
    };
    let secret: string | undefined;
    if (dto.type === 'webhook') {
      if (dto.url === undefined)
        throw ValidationError.field('url', 'is required for a webhook endpoint');
      if (dto.exchange !== undefined)
        throw ValidationError.field('exchange', 'is only for rabbitmq endpoints');
      if (dto.routingKeyPrefix !== undefined)
        throw ValidationError.field('routingKeyPrefix', 'is only for rabbitmq endpoints');
      endpoint.url = await this.checkUrl(dto.url);
      secret = NotificationEndpointsService.newSecret();
      endpoint.secretSealed = this.secretBox.seal(secret);
    } else {
      if (dto.url !== undefined)
        throw ValidationError.field('url', 'is only for webhook endpoints');
      if (!this.config.notifications.rabbitmqUrl) {
        throw ValidationError.field(
          'type',
          'rabbitmq needs PAYMENTSERVER_RABBITMQ_URL to be configured',
        );
      }
      endpoint.exchange = dto.exchange ?? DEFAULT_EXCHANGE;
      endpoint.routingKeyPrefix = dto.routingKeyPrefix ?? null;
    }
    await this.tx.run(async (m) => {
      if (!(await m.exists(Integration, { where: { id: dto.integrationId } }))) {
        throw ValidationError.field('integrationId', 'is not an integration');
      }
      await bumpEndpointsVersion(m); // every instance's EndpointSubscriptions reloads
      await m.insert(NotificationEndpoint, endpoint);
      await this.audit.record(m, { targetId: endpoint.id });
    });
    return { endpoint, secret };
  }

  async get(id: string): Promise<NotificationEndpoint> {
    const endpoint = await this.endpoints.findOneBy({ id });
    if (!endpoint) throw new NotFoundError('Notification endpoint', id);
    return endpoint;
  }

  async list(
    query: ListEndpointsQuery,
  ): Promise<{ data: NotificationEndpoint[]; nextCursor: string | null }> {
    const limit = query.limit ?? 50;
    const qb = this.endpoints.createQueryBuilder('e');
    if (query.integrationId)
      qb.andWhere('e.integrationId = :integrationId', { integrationId: query.integrationId });
    return keysetPage(qb, { cursor: query.cursor, limit, key: 'createdAt' });
  }

  async update(id: string, dto: UpdateNotificationEndpointDto): Promise<NotificationEndpoint> {
    const endpoint = await this.get(id);
    const changes: Partial<NotificationEndpoint> = { updatedAt: new Date() };
    if (endpoint.type === 'webhook') {
      if (dto.exchange !== undefined)
        throw ValidationError.field('exchange', 'is only for rabbitmq endpoints');
      if (dto.routingKeyPrefix !== undefined)
        throw ValidationError.field('routingKeyPrefix', 'is only for rabbitmq endpoints');
      if (dto.url !== undefined) changes.url = await this.checkUrl(dto.url);
    } else {
      if (dto.url !== undefined)
        throw ValidationError.field('url', 'is only for webhook endpoints');
      if (dto.exchange !== undefined) changes.exchange = dto.exchange;
      if (dto.routingKeyPrefix !== undefined) changes.routingKeyPrefix = dto.routingKeyPrefix;
    }
    if (dto.events !== undefined) changes.events = dto.events;
    if (dto.enabled !== undefined) {
      changes.enabled = dto.enabled;
      changes.disabledReason = null;
    }
    await this.tx.run(async (m) => {
      await bumpEndpointsVersion(m);
      await m.update(NotificationEndpoint, { id }, changes);
      await this.audit.record(m);
    });
    return Object.assign(endpoint, changes);
  }

  async remove(id: string): Promise<void> {
    await this.get(id);
    await this.tx.run(async (m) => {
      await bumpEndpointsVersion(m);
      await m.delete(DeliveryAttempt, { endpointId: id });
      await m.delete(NotificationDelivery, { endpointId: id });
      await m.delete(NotificationEndpoint, { id });
      await this.audit.record(m);
    });
  }

  /** A new secret; the old one keeps signing as well for `graceSeconds`. */
  async rotateSecret(
    id: string,
    graceSeconds = DEFAULT_GRACE_SECONDS,
  ): Promise<{ secret: string; endpoint: NotificationEndpoint }> {
    const endpoint = await this.get(id);
    if (endpoint.type !== 'webhook' || !endpoint.secretSealed) {
      throw ValidationError.field('type', 'only webhook endpoints have a signing secret');
    }
    const secret = NotificationEndpointsService.newSecret();
    const now = new Date();
    const changes: Partial<NotificationEndpoint> = {
      secretSealed: this.secretBox.seal(secret),
      previousSecretSealed: graceSeconds > 0 ? endpoint.secretSealed : null,
      previousSecretExpiresAt:
        graceSeconds > 0 ? new Date(now.getTime() + graceSeconds * 1000) : null,
      updatedAt: now,
    };
    await this.tx.run(async (m) => {
      await m.update(NotificationEndpoint, { id }, changes);
      await this.audit.record(m, { changedFields: ['secret'] });
    });
    return { secret, endpoint: Object.assign(endpoint, changes) };
  }

  /** The secrets that sign now: the current one, and the previous one during its grace period. */
  signingSecrets(endpoint: NotificationEndpoint, now = new Date()): string[] {
    const secrets: string[] = [];
    if (endpoint.secretSealed) secrets.push(this.secretBox.open(endpoint.secretSealed));
    if (
      endpoint.previousSecretSealed &&
      endpoint.previousSecretExpiresAt &&
      endpoint.previousSecretExpiresAt > now
    ) {
      secrets.push(this.secretBox.open(endpoint.previousSecretSealed));
    }
    return secrets;
  }

  async counts(
    filter: { endpointId?: string; integrationId?: string } = {},
  ): Promise<DeliveryCounts> {
    const qb = this.deliveries
      .createQueryBuilder('d')
      .select('d.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .groupBy('d.status');
    if (filter.endpointId)
      qb.andWhere('d.endpointId = :endpointId', { endpointId: filter.endpointId });
    if (filter.integrationId) {
      qb.innerJoin(NotificationEndpoint, 'e', 'e.id = d.endpointId').andWhere(
        'e.integrationId = :integrationId',
        { integrationId: filter.integrationId },
      );
    }
    const rows = await qb.getRawMany<{ status: DeliveryStatus; count: string | number }>();
    const counts: DeliveryCounts = { pending: 0, failing: 0, delivered: 0, dead: 0 };
    for (const row of rows) counts[row.status] = Number(row.count);
    return counts;
  }

  async listDeliveries(endpointId: string, query: ListDeliveriesQuery) {
    await this.get(endpointId);
    const limit = query.limit ?? 50;
    const qb = this.deliveries
      .createQueryBuilder('d')
      .where('d.endpointId = :endpointId', { endpointId });
    if (query.status) qb.andWhere('d.status = :status', { status: query.status });
    const page = await keysetPage(qb, { cursor: query.cursor, limit, key: 'createdAt' });
    const attempts = page.data.length
      ? await this.attempts.find({
          where: { deliveryId: In(page.data.map((d) => d.id)) },
          order: { startedAt: 'DESC' },
        })
      : [];
    return mapPage(page, (delivery) => ({
      delivery,
      attempts: attempts.filter((a) => a.deliveryId === delivery.id).slice(0, 20),
    }));
  }

  /**
   * Sends a delivery again as soon as a worker is free: a failing or dead one (a dead one gets
   * one more try and goes back to dead if it fails) and a delivered one (a re-send: the same
   * event, so the same `webhook-id`, as a new attempt). The row is reopened by one conditional
   * UPDATE on the state that was read, so concurrent re-sends (on any instance) reopen it once
   * and the others find it queued; a delivery a worker is sending right now (its lease is live)
   * is refused with 409 rather than reopened under the worker, which would lose the request when
   * the worker records its attempt.
   */
  async retryDelivery(endpointId: string, deliveryId: string): Promise<NotificationDelivery> {
    for (let round = 0; round < 5; round++) {
      const delivery = await this.deliveries.findOneBy({ id: deliveryId, endpointId });
      if (!delivery) throw new NotFoundError('Delivery', deliveryId);
      const now = new Date();
      if (delivery.leaseToken !== null && delivery.leaseExpiresAt && delivery.leaseExpiresAt >= now)
        throw new ConflictError(
          'delivery_in_flight',
          'This delivery is being sent right now; ask again once that attempt is recorded',
        );
      // Already queued and due (another re-send just reopened it): one send answers both.
      if (delivery.status === 'pending' && delivery.nextAttemptAt <= now) return delivery;
      const changes: Partial<NotificationDelivery> = {
        status: 'pending',
        nextAttemptAt: now,
        // A lease that ran out belonged to a worker that died; its late report is then ignored.
        leaseToken: null,
        leaseExpiresAt: null,
        attempts:
          delivery.status === 'dead' ? Math.max(0, delivery.attempts - 1) : delivery.attempts,
        updatedAt: now,
      };
      const reopened = await this.tx.run(async (m) => {
        const result = await m.update(
          NotificationDelivery,
          {
            id: deliveryId,
            endpointId,
            status: delivery.status,
            attempts: delivery.attempts,
            leaseToken: delivery.leaseToken === null ? IsNull() : delivery.leaseToken,
          },
          changes,
        );
        // Audited only when this request reopened the row, in the same transaction.
        if (result.affected === 1) await this.audit.record(m);
        return result;
      });
      if (reopened.affected === 1) return Object.assign(delivery, changes);
      // A worker or another re-send changed the row since it was read: look again.
    }
    throw new ConflictError(
      'delivery_busy',
      'This delivery kept changing while it was being reopened; ask again',
    );
  }

  private async checkUrl(url: string): Promise<string> {
    const parsed = new URL(url);
    if (parsed.username || parsed.password)
      throw ValidationError.field('url', 'must not carry credentials');
    try {
      await this.guard.resolveTarget(parsed.hostname);
    } catch (error) {
      if (error instanceof TargetRefusedError)
        throw ValidationError.field('url', `is refused: ${error.message}`);
      // A name that does not resolve yet is accepted; delivery checks again.
    }
    return url;
  }
}
