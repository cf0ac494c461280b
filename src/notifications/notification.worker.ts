import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { Brackets, In, IsNull, LessThan, Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app.config';
import { newId } from '../common/ids/id';
import { TransactionService } from '../database/transaction.service';
import { OutboxEvent } from './outbox-event.entity';
import { NotificationEndpoint } from './notification-endpoint.entity';
import { NotificationDelivery, OPEN_STATUSES } from './notification-delivery.entity';
import { DeliveryAttempt } from './delivery-attempt.entity';
import { NOTIFICATION_ID_PREFIX } from './notification-ids';
import { NotificationEndpointsService } from './notification-endpoints.service';
import { MetricsService } from '../metrics/metrics.service';
import {
  ChannelResult,
  NOTIFICATION_CHANNELS,
  NotificationChannel,
} from './channels/notification-channel';

/** A broker that could not even be tried is asked again after this long. */
const NOT_ATTEMPTED_DELAY_MS = 2000;
const FAN_OUT_BATCH = 200;
/** How long a round waits for its sends before it goes on without the slow ones. */
const ROUND_PATIENCE_MS = 200;
/** Rows per multi-row INSERT (16 columns × 100 stays under SQL Server's parameter limit). */
const INSERT_CHUNK = 100;

interface Outcome {
  delivery: NotificationDelivery;
  token: string;
  endpoint?: NotificationEndpoint;
  result: ChannelResult;
  startedAt: Date;
  durationMs: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** ±10 % so that many failed deliveries do not all come back in the same instant. */
export function withJitter(seconds: number, random = Math.random): number {
  return Math.round(seconds * 1000 * (0.9 + 0.2 * random()));
}

/** An attempt's outcome as a metric label. */
export function attemptOutcome(
  result: ChannelResult,
): 'succeeded' | 'failed' | 'gone' | 'not_attempted' {
  if (result.ok) return 'succeeded';
  if (result.notAttempted) return 'not_attempted';
  return result.gone ? 'gone' : 'failed';
}

/**
 * Delivers the outbox. Each round it
 *  1. fans new outbox events out into one delivery row per matching endpoint (the outbox row
 *     is taken by a conditional UPDATE, so exactly one instance fans each event out);
 *  2. claims due deliveries with a lease: one UPDATE that only takes rows whose lease has
 *     expired, stamping them with this round's token. Two instances never hold the same row;
 *     a crashed instance's rows come free when their lease runs out;
 *  3. sends them and records the attempt, again only while still holding the lease. While a
 *     send is in flight its lease is renewed (every third of the lease), so a slow target is
 *     not taken over and sent twice by another instance; a crashed instance renews nothing.
 * A delivery is only due when no earlier event of the same payment is still open for that
 * endpoint (or not yet fanned out), so one payment's events arrive in order.
 */
@Injectable()
export class NotificationWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Notifications');
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private stopped = false;
  private inRound = false;
  private wakeRequested = false;
  private recordQueue: { outcome: Outcome; resolve: () => void }[] = [];
  private recorder?: Promise<void>;
  private readonly inFlight = new Set<Promise<void>>();
  /** Webhook endpoint id → its sends in flight on this instance (capped per endpoint). */
  private readonly inFlightByEndpoint = new Map<string, number>();
  /** Lease token → sends of that claim still in flight. */
  private readonly heldLeases = new Map<string, number>();
  private saturated = false;
  private readonly channels: Map<string, NotificationChannel>;

  constructor(
    @InjectRepository(OutboxEvent) private readonly outbox: Repository<OutboxEvent>,
    @InjectRepository(NotificationEndpoint)
    private readonly endpointsRepo: Repository<NotificationEndpoint>,
    @InjectRepository(NotificationDelivery)
    private readonly deliveries: Repository<NotificationDelivery>,
    private readonly endpoints: NotificationEndpointsService,
    private readonly tx: TransactionService,
    @Inject(NOTIFICATION_CHANNELS) channels: NotificationChannel[],
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {
    this.channels = new Map(channels.map((c) => [c.type, c]));
  }

  /** The first round at start-up; later ones on wake() (commits, NotificationPollJob). */
  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round?.catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
    await this.recorder;
  }

  /** Starts a round now (after a commit that wrote outbox rows) instead of at the next poll. */
  wake(): void {
    if (this.stopped) return;
    if (this.inRound) {
      this.wakeRequested = true;
      return;
    }
    clearTimeout(this.timer);
    this.schedule(0);
  }

  /** The idle poll (NotificationPollJob): a round now unless one is running. */
  poll(): void {
    if (!this.inRound) this.wake();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.inRound = true;
      this.wakeRequested = false;
      this.round = this.runRound().then((busy) => {
        this.inRound = false;
        // Go again at once while there is work; when idle, NotificationPollJob wakes it.
        if (busy || this.wakeRequested) this.schedule(0);
      });
    }, delayMs);
  }

  /** One fan-out and one delivery pass; true when there was work (so go again at once). */
  async runRound(): Promise<boolean> {
    try {
      const fannedOut = await this.fanOut();
      const delivered = await this.deliverDue();
      return fannedOut > 0 || delivered > 0;
    } catch (error) {
      if (!this.stopped)
        this.logger.warn({ msg: 'notification round failed', error: (error as Error).message });
      return false;
    }
  }

  async fanOut(): Promise<number> {
    const events = await this.outbox.find({
      where: { dispatchedAt: IsNull() },
      // A total order: instances lock the same rows in the same order (no deadlocks).
      order: { createdAt: 'ASC', sequence: 'ASC', id: 'ASC' },
      take: FAN_OUT_BATCH,
    });
    if (events.length === 0) return 0;
    const integrationIds = [...new Set(events.map((e) => e.integrationId))];
    const endpoints = await this.endpointsRepo.find({
      where: { integrationId: In(integrationIds), enabled: true },
    });
    const now = new Date();
    // One transaction for the whole batch: the conditional UPDATE hands each event to exactly
    // one instance; its delivery rows are written in the same transaction.
    return this.tx.run(async (m) => {
      const rows: NotificationDelivery[] = [];
      let taken = 0;
      for (const event of events) {
        const result = await m.update(
          OutboxEvent,
          { id: event.id, dispatchedAt: IsNull() },
          { dispatchedAt: now },
        );
        if (result.affected !== 1) continue;
        taken++;
        for (const endpoint of endpoints) {
          if (
            endpoint.integrationId !== event.integrationId ||
            !endpoint.events.includes(event.type)
          )
            continue;
          rows.push({
            id: newId(NOTIFICATION_ID_PREFIX.delivery),
            endpointId: endpoint.id,
            eventId: event.id,
            eventType: event.type,
            paymentId: event.paymentId,
            sequence: event.sequence,
            status: 'pending',
            attempts: 0,
            nextAttemptAt: now,
            leaseToken: null,
            leaseExpiresAt: null,
            lastResponseCode: null,
            lastError: null,
            deliveredAt: null,
            createdAt: now,
            updatedAt: now,
          });
        }
      }
      // Chunks keep each statement under SQL Server's 2,100 parameters.
      for (let i = 0; i < rows.length; i += INSERT_CHUNK)
        await m.insert(NotificationDelivery, rows.slice(i, i + INSERT_CHUNK));
      return taken;
    });
  }

  /** Claims due deliveries under a lease and sends them; returns how many were claimed. */
  async deliverDue(): Promise<number> {
    const types = [...this.channels.values()].filter((c) => c.available()).map((c) => c.type);
    if (types.length === 0) return 0;
    const capacity = this.config.notifications.batchSize - this.inFlight.size;
    if (capacity <= 0) {
      // Every slot is taken by slow sends: the first one to finish wakes the worker.
      this.saturated = true;
      return 0;
    }
    const now = new Date();
    // A slow webhook endpoint may hold at most `cap` slots, so it cannot starve the others.
    const cap = this.config.notifications.endpointConcurrency;
    const busy = [...this.inFlightByEndpoint].filter(([, n]) => n >= cap).map(([id]) => id);
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
      const left = room.get(d.endpointId) ?? cap - (this.inFlightByEndpoint.get(d.endpointId) ?? 0);
      room.set(d.endpointId, left - 1);
      return left > 0;
    });
    if (candidates.length === 0) return 0;

    const token = randomBytes(16).toString('hex');
    const leaseExpiresAt = new Date(now.getTime() + this.config.notifications.leaseSeconds * 1000);
    const claimed = await this.tx.run(async (m) => {
      const ids = In(candidates.map((c) => c.id));
      const claim = { leaseToken: token, leaseExpiresAt, updatedAt: now };
      // Only rows still open and not leased (or whose lease ran out) are taken.
      await m.update(
        NotificationDelivery,
        { id: ids, status: In(OPEN_STATUSES), leaseExpiresAt: IsNull() },
        claim,
      );
      await m.update(
        NotificationDelivery,
        { id: ids, status: In(OPEN_STATUSES), leaseExpiresAt: LessThan(now) },
        claim,
      );
      return m.find(NotificationDelivery, { where: { leaseToken: token } });
    });
    if (claimed.length === 0) return 0;

    const endpoints = new Map(
      (
        await this.endpointsRepo.find({
          where: { id: In([...new Set(claimed.map((d) => d.endpointId))]) },
        })
      ).map((e) => [e.id, e]),
    );
    const events = new Map(
      (
        await this.outbox.find({ where: { id: In([...new Set(claimed.map((d) => d.eventId))]) } })
      ).map((e) => [e.id, e]),
    );
    this.heldLeases.set(token, claimed.length);
    const batch = claimed.map((delivery) => {
      const endpoint = endpoints.get(delivery.endpointId);
      return this.track(
        this.deliver(delivery, token, endpoint, events.get(delivery.eventId)).finally(() =>
          this.releaseLease(token),
        ),
        endpoint?.type === 'webhook' ? endpoint.id : undefined,
      );
    });
    // Healthy targets answer within milliseconds; a slow one must not hold up every other
    // delivery, so the round moves on after a moment and slow sends finish in the background
    // (at most batchSize in flight).
    await Promise.race([Promise.all(batch), sleep(ROUND_PATIENCE_MS)]);
    return claimed.length;
  }

  private releaseLease(token: string): void {
    const left = (this.heldLeases.get(token) ?? 1) - 1;
    if (left > 0) this.heldLeases.set(token, left);
    else this.heldLeases.delete(token);
  }

  /**
   * Extends the leases of this instance's sends still in flight. Settled rows have lost their
   * token and rows another instance took over carry its token, so neither is touched.
   */
  async renewLeases(): Promise<number> {
    if (this.heldLeases.size === 0) return 0;
    const leaseExpiresAt = new Date(Date.now() + this.config.notifications.leaseSeconds * 1000);
    try {
      const result = await this.tx.write((m) =>
        m.update(
          NotificationDelivery,
          { leaseToken: In([...this.heldLeases.keys()]), status: In(OPEN_STATUSES) },
          { leaseExpiresAt },
        ),
      );
      return result.affected ?? 0;
    } catch (error) {
      this.logger.warn({ msg: 'lease renewal failed', error: (error as Error).message });
      return 0;
    }
  }

  private track(send: Promise<void>, webhookEndpointId?: string): Promise<void> {
    this.inFlight.add(send);
    if (webhookEndpointId)
      this.inFlightByEndpoint.set(
        webhookEndpointId,
        (this.inFlightByEndpoint.get(webhookEndpointId) ?? 0) + 1,
      );
    return send.finally(() => {
      this.inFlight.delete(send);
      let endpointWasFull = false;
      if (webhookEndpointId) {
        const left = (this.inFlightByEndpoint.get(webhookEndpointId) ?? 1) - 1;
        endpointWasFull = left + 1 >= this.config.notifications.endpointConcurrency;
        if (left > 0) this.inFlightByEndpoint.set(webhookEndpointId, left);
        else this.inFlightByEndpoint.delete(webhookEndpointId);
      }
      // A freed slot (of the batch, or of an endpoint at its cap) may let waiting deliveries go.
      if (this.saturated || endpointWasFull) {
        this.saturated = false;
        this.wake();
      }
    });
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

  private async deliver(
    delivery: NotificationDelivery,
    token: string,
    endpoint?: NotificationEndpoint,
    event?: OutboxEvent,
  ): Promise<void> {
    const startedAt = new Date();
    let result: ChannelResult;
    if (!endpoint || !event) {
      result = {
        ok: false,
        error: endpoint ? 'event no longer exists' : 'endpoint no longer exists',
      };
    } else {
      const channel = this.channels.get(endpoint.type)!;
      try {
        result = await channel.send(
          {
            endpointId: endpoint.id,
            url: endpoint.url,
            exchange: endpoint.exchange,
            routingKeyPrefix: endpoint.routingKeyPrefix,
            secrets:
              endpoint.type === 'webhook' ? this.endpoints.signingSecrets(endpoint, startedAt) : [],
          },
          { id: event.id, type: event.type, body: event.payload },
        );
      } catch (error) {
        result = { ok: false, error: (error as Error).message };
      }
    }
    await this.record({
      delivery,
      token,
      endpoint,
      result,
      startedAt,
      durationMs: Date.now() - startedAt.getTime(),
    });
  }

  /**
   * Group commit: outcomes are queued and written together, one transaction for all that have
   * come in meanwhile (on SQLite every commit is a disk sync, so one per delivery would cap
   * throughput). Resolves once this outcome is written (or failed to be: the lease then runs
   * out and the delivery is tried again).
   */
  private record(outcome: Outcome): Promise<void> {
    return new Promise<void>((resolve) => {
      this.recordQueue.push({ outcome, resolve });
      this.recorder ??= this.drainRecords();
    });
  }

  private async drainRecords(): Promise<void> {
    while (this.recordQueue.length > 0) {
      const batch = this.recordQueue.splice(0);
      try {
        await this.recordBatch(batch.map((b) => b.outcome));
      } catch (error) {
        this.logger.warn({
          msg: 'could not record delivery attempts',
          count: batch.length,
          error: (error as Error).message,
        });
      }
      batch.forEach((b) => b.resolve());
    }
    this.recorder = undefined;
  }

  private async recordBatch(outcomes: Outcome[]): Promise<void> {
    const now = new Date();
    const settled = outcomes.map((outcome) => ({ outcome, changes: this.settle(outcome, now) }));
    const lost = await this.tx.run(async (m) => {
      const lostLeases: string[] = [];
      for (const { outcome, changes } of settled) {
        // Only the holder of the lease may settle the row; a late worker whose lease expired
        // (and whose row another instance took over) just records its attempt.
        const update = await m.update(
          NotificationDelivery,
          { id: outcome.delivery.id, leaseToken: outcome.token },
          changes,
        );
        if (update.affected !== 1) lostLeases.push(outcome.delivery.id);
        if (outcome.result.gone && outcome.endpoint) {
          await m.update(
            NotificationEndpoint,
            { id: outcome.endpoint.id },
            { enabled: false, disabledReason: 'target answered 410 Gone', updatedAt: now },
          );
        }
      }
      const attempts = outcomes.map(({ delivery, result, startedAt, durationMs }) => ({
        id: newId(NOTIFICATION_ID_PREFIX.attempt),
        deliveryId: delivery.id,
        endpointId: delivery.endpointId,
        outcome: result.ok ? ('succeeded' as const) : ('failed' as const),
        responseCode: result.responseCode ?? null,
        durationMs,
        error: result.ok ? null : (result.error ?? 'failed').slice(0, 512),
        startedAt,
      }));
      for (let i = 0; i < attempts.length; i += INSERT_CHUNK)
        await m.insert(DeliveryAttempt, attempts.slice(i, i + INSERT_CHUNK));
      return lostLeases;
    });
    for (const { endpoint, result } of outcomes) {
      this.metrics.notificationAttempts.inc({
        channel: endpoint?.type ?? 'unknown',
        outcome: attemptOutcome(result),
      });
    }
    for (const deliveryId of lost)
      this.logger.warn({ msg: 'lease lost before the attempt was recorded', deliveryId });
    for (const { outcome, changes } of settled) {
      if (outcome.result.ok || outcome.result.notAttempted) continue;
      this.logger.log({
        msg: 'delivery failed',
        deliveryId: outcome.delivery.id,
        endpointId: outcome.delivery.endpointId,
        eventId: outcome.delivery.eventId,
        responseCode: outcome.result.responseCode,
        error: outcome.result.error,
        status: changes.status,
      });
    }
  }

  /** What an attempt's outcome does to its delivery row. */
  private settle(
    { delivery, endpoint, result }: Outcome,
    now: Date,
  ): Partial<NotificationDelivery> {
    const schedule = this.config.notifications.retryScheduleSeconds;
    const changes: Partial<NotificationDelivery> = {
      leaseToken: null,
      leaseExpiresAt: null,
      updatedAt: now,
      lastResponseCode: result.responseCode ?? null,
      lastError: result.ok ? null : (result.error ?? 'failed').slice(0, 512),
    };
    if (result.ok) {
      Object.assign(changes, {
        status: 'delivered',
        deliveredAt: now,
        attempts: delivery.attempts + 1,
      });
    } else if (result.notAttempted) {
      changes.nextAttemptAt = new Date(now.getTime() + NOT_ATTEMPTED_DELAY_MS);
    } else if (result.gone || !endpoint) {
      Object.assign(changes, { status: 'dead', attempts: delivery.attempts + 1 });
    } else {
      const attempts = delivery.attempts + 1;
      changes.attempts = attempts;
      if (attempts > schedule.length) {
        changes.status = 'dead';
      } else {
        const delayMs = Math.max(
          withJitter(schedule[attempts - 1]),
          (result.retryAfterSeconds ?? 0) * 1000,
        );
        Object.assign(changes, {
          status: 'failing',
          nextAttemptAt: new Date(now.getTime() + delayMs),
        });
      }
    }
    return changes;
  }
}
