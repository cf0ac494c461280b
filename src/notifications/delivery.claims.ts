import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { Brackets, In, IsNull, LessThan, LessThanOrEqual, Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app.config';
import { TransactionService } from '../database/transaction.service';
import { NotificationDelivery, OPEN_STATUSES } from './notification-delivery.entity';
import { NotificationEndpoint } from './notification-endpoint.entity';

/** What this instance may take in one claim. */
export interface ClaimRoom {
  /** Channel types that can send right now. */
  types: string[];
  /** Free send slots on this instance. */
  capacity: number;
  /** Webhook endpoint id → its sends in flight on this instance (each capped per endpoint). */
  inFlightByEndpoint: ReadonlyMap<string, number>;
}

export interface Claim {
  token: string;
  deliveries: NotificationDelivery[];
}

/**
 * Claims due deliveries across instances with a lease: one UPDATE that only takes rows whose
 * lease has expired, stamping them with the claim's token. Two instances never hold the same
 * row; a crashed instance's rows come free when their lease runs out. While a send is in
 * flight its lease is renewed (renew(), every third of the lease), so a slow target is not
 * taken over and sent twice by another instance.
 *
 * A delivery is only due when no earlier event of the same payment is still open for that
 * endpoint (or not yet fanned out), so one payment's events arrive in order.
 */
@Injectable()
export class DeliveryClaims {
  private readonly logger = new Logger('Notifications');
  /** Lease token → sends of that claim still in flight. */
  private readonly held = new Map<string, number>();

  constructor(
    @InjectRepository(NotificationDelivery)
    private readonly deliveries: Repository<NotificationDelivery>,
    private readonly tx: TransactionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Takes due deliveries that fit the room; undefined when none could be taken. */
  async claim({ types, capacity, inFlightByEndpoint }: ClaimRoom): Promise<Claim | undefined> {
    const now = new Date();
    // A slow webhook endpoint may hold at most `cap` slots, so it cannot starve the others.
    const cap = this.config.notifications.endpointConcurrency;
    const busy = [...inFlightByEndpoint].filter(([, n]) => n >= cap).map(([id]) => id);
    const query = this.deliveries
      .createQueryBuilder('d')
      .select('d.id', 'id')
      .addSelect('d.endpointId', 'endpointId')
      .addSelect('e.type', 'type')
      .innerJoin(NotificationEndpoint, 'e', 'e.id = d.endpointId')
      .where('d.status IN (:...open)', { open: OPEN_STATUSES })
      .andWhere('d.nextAttemptAt <= :now', { now })
      .andWhere(
        new Brackets((w) =>
          w.where('d.leaseExpiresAt IS NULL').orWhere('d.leaseExpiresAt < :now', { now }),
        ),
      )
      .andWhere('e.enabled = :enabled', { enabled: true })
      .andWhere('e.type IN (:...types)', { types })
      .andWhere(`NOT EXISTS (${this.earlierOpenDelivery()})`)
      .andWhere(`NOT EXISTS (${this.earlierUnfannedEvent()})`);
    if (busy.length > 0) query.andWhere('d.endpointId NOT IN (:...busy)', { busy });
    const due = await query
      .orderBy('d.nextAttemptAt', 'ASC')
      .limit(capacity)
      .getRawMany<{ id: string; endpointId: string; type: string }>();
    const room = new Map<string, number>();
    const candidates = due.filter((d) => {
      if (d.type !== 'webhook') return true;
      const left = room.get(d.endpointId) ?? cap - (inFlightByEndpoint.get(d.endpointId) ?? 0);
      room.set(d.endpointId, left - 1);
      return left > 0;
    });
    if (candidates.length === 0) return undefined;

    const token = randomBytes(16).toString('hex');
    const leaseExpiresAt = new Date(now.getTime() + this.config.notifications.leaseSeconds * 1000);
    const claimed = await this.tx.run(async (m) => {
      const ids = In(candidates.map((c) => c.id));
      const claim = { leaseToken: token, leaseExpiresAt, updatedAt: now };
      // Only rows still open, still due and not leased (or whose lease ran out) are taken: one
      // that another instance claimed, failed and rescheduled since the SELECT keeps its backoff.
      const still = { id: ids, status: In(OPEN_STATUSES), nextAttemptAt: LessThanOrEqual(now) };
      await m.update(NotificationDelivery, { ...still, leaseExpiresAt: IsNull() }, claim);
      await m.update(NotificationDelivery, { ...still, leaseExpiresAt: LessThan(now) }, claim);
      return m.find(NotificationDelivery, { where: { leaseToken: token } });
    });
    if (claimed.length === 0) return undefined;
    this.held.set(token, claimed.length);
    return { token, deliveries: claimed };
  }

  /** One send of the claim finished: its lease no longer needs renewing from here. */
  release(token: string): void {
    const left = (this.held.get(token) ?? 1) - 1;
    if (left > 0) this.held.set(token, left);
    else this.held.delete(token);
  }

  /** A claim none of whose deliveries will be sent: its leases are left to run out. */
  abandon(token: string): void {
    this.held.delete(token);
  }

  /**
   * Extends the leases of this instance's sends still in flight. Settled rows have lost their
   * token and rows another instance took over carry its token, so neither is touched.
   */
  async renew(): Promise<number> {
    if (this.held.size === 0) return 0;
    const leaseExpiresAt = new Date(Date.now() + this.config.notifications.leaseSeconds * 1000);
    try {
      const result = await this.tx.write((m) =>
        m.update(
          NotificationDelivery,
          { leaseToken: In([...this.held.keys()]), status: In(OPEN_STATUSES) },
          { leaseExpiresAt },
        ),
      );
      return result.affected ?? 0;
    } catch (error) {
      this.logger.warn({ msg: 'lease renewal failed', error: (error as Error).message });
      return 0;
    }
  }

  /** Written by hand: correlated subqueries with each dialect's identifier quoting. */
  private earlierOpenDelivery(): string {
    const q = (name: string) => this.deliveries.manager.connection.driver.escape(name);
    return (
      `SELECT 1 FROM ${q('notification_deliveries')} ${q('p')} WHERE ${q('p')}.${q('endpointId')} = ${q('d')}.${q('endpointId')}` +
      ` AND ${q('p')}.${q('paymentId')} = ${q('d')}.${q('paymentId')} AND ${q('p')}.${q('sequence')} < ${q('d')}.${q('sequence')}` +
      ` AND ${q('p')}.${q('status')} IN (:...open)`
    );
  }

  private earlierUnfannedEvent(): string {
    const q = (name: string) => this.deliveries.manager.connection.driver.escape(name);
    return (
      `SELECT 1 FROM ${q('outbox_events')} ${q('o')} WHERE ${q('o')}.${q('paymentId')} = ${q('d')}.${q('paymentId')}` +
      ` AND ${q('o')}.${q('sequence')} < ${q('d')}.${q('sequence')} AND ${q('o')}.${q('dispatchedAt')} IS NULL`
    );
  }
}
