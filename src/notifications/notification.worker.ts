import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app.config';
import { OutboxEvent } from './outbox-event.entity';
import { NotificationEndpoint } from './notification-endpoint.entity';
import { NotificationDelivery } from './notification-delivery.entity';
import { NotificationEndpointsService } from './notification-endpoints.service';
import {
  ChannelResult,
  NOTIFICATION_CHANNELS,
  NotificationChannel,
} from './channels/notification-channel';
import { OutboxFanOut } from './outbox.fan-out';
import { DeliveryClaims } from './delivery.claims';
import { DeliveryRecorder } from './delivery.recorder';

/** How long a round waits for its sends before it goes on without the slow ones. */
const ROUND_PATIENCE_MS = 200;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * Delivers the outbox. Each round it
 *  1. fans new outbox events out into delivery rows (OutboxFanOut);
 *  2. claims due deliveries under a lease (DeliveryClaims), as many as this instance has free
 *     send slots, at most endpointConcurrency per webhook endpoint;
 *  3. sends them and records each attempt (DeliveryRecorder, which settles the row with
 *     nextDeliveryState while still holding the lease).
 * Rounds follow each other at once while there is work; when idle, commits that wrote outbox
 * rows (OutboxCommitListener) and NotificationPollJob wake it.
 */
@Injectable()
export class NotificationWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Notifications');
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private stopped = false;
  private inRound = false;
  private wakeRequested = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** Webhook endpoint id → its sends in flight on this instance (capped per endpoint). */
  private readonly inFlightByEndpoint = new Map<string, number>();
  private saturated = false;
  private readonly channels: Map<string, NotificationChannel>;

  constructor(
    @InjectRepository(OutboxEvent) private readonly outbox: Repository<OutboxEvent>,
    @InjectRepository(NotificationEndpoint)
    private readonly endpointsRepo: Repository<NotificationEndpoint>,
    private readonly endpoints: NotificationEndpointsService,
    private readonly fanOut: OutboxFanOut,
    private readonly claims: DeliveryClaims,
    private readonly recorder: DeliveryRecorder,
    @Inject(NOTIFICATION_CHANNELS) channels: NotificationChannel[],
    @Inject(APP_CONFIG) private readonly config: AppConfig,
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
    await this.recorder.flushed();
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
      const fannedOut = await this.fanOut.fanOut();
      const delivered = await this.deliverDue();
      return fannedOut > 0 || delivered > 0;
    } catch (error) {
      if (!this.stopped)
        this.logger.warn({ msg: 'notification round failed', error: (error as Error).message });
      return false;
    }
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
    const claim = await this.claims.claim({
      types,
      capacity,
      inFlightByEndpoint: this.inFlightByEndpoint,
    });
    if (!claim) return 0;
    const { token, deliveries: claimed } = claim;

    let endpoints: Map<string, NotificationEndpoint>;
    let events: Map<string, OutboxEvent>;
    try {
      [endpoints, events] = await this.readClaimed(claimed);
    } catch (error) {
      // Nothing of this claim will be sent: stop renewing its leases, so that they run out and
      // the rows are claimed again (here or by another instance) instead of staying held.
      this.claims.abandon(token);
      throw error;
    }
    const batch = claimed.map((delivery) => {
      const endpoint = endpoints.get(delivery.endpointId);
      return this.track(
        this.deliver(delivery, token, endpoint, events.get(delivery.eventId)).finally(() =>
          this.claims.release(token),
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

  /** The endpoints and events a claim's deliveries need. */
  private async readClaimed(
    claimed: NotificationDelivery[],
  ): Promise<[Map<string, NotificationEndpoint>, Map<string, OutboxEvent>]> {
    const endpointIds = [...new Set(claimed.map((d) => d.endpointId))];
    const eventIds = [...new Set(claimed.map((d) => d.eventId))];
    const endpoints = await this.endpointsRepo.find({ where: { id: In(endpointIds) } });
    const events = await this.outbox.find({ where: { id: In(eventIds) } });
    return [new Map(endpoints.map((e) => [e.id, e])), new Map(events.map((e) => [e.id, e]))];
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
    await this.recorder.record({
      delivery,
      token,
      endpoint,
      result,
      startedAt,
      durationMs: Date.now() - startedAt.getTime(),
    });
  }
}
