import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app.config';
import { newId } from '../common/ids/id';
import { TransactionService } from '../database/transaction.service';
import { MetricsService } from '../metrics/metrics.service';
import { ChannelResult } from './channels/notification-channel';
import { DeliveryAttempt } from './delivery-attempt.entity';
import { NotificationDelivery } from './notification-delivery.entity';
import { NotificationEndpoint } from './notification-endpoint.entity';
import { NOTIFICATION_ID_PREFIX } from './notification-ids';
import { nextDeliveryState, RetryPolicy } from './next-delivery-state';

/** A broker that could not even be tried is asked again after this long. */
const NOT_ATTEMPTED_DELAY_MS = 2000;
/** Rows per multi-row INSERT (8 columns × 100 stays under SQL Server's parameter limit). */
const INSERT_CHUNK = 100;

/** One finished send, waiting to be written. */
export interface SentAttempt {
  delivery: NotificationDelivery;
  /** The lease token the send was claimed under; only its holder may settle the row. */
  token: string;
  endpoint?: NotificationEndpoint;
  result: ChannelResult;
  startedAt: Date;
  durationMs: number;
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
 * Writes attempt outcomes: settles each delivery row (nextDeliveryState), stores the attempt,
 * disables an endpoint whose target answered 410 Gone.
 *
 * Group commit: outcomes are queued and written together, one transaction for all that have
 * come in meanwhile (on SQLite every commit is a disk sync, so one per delivery would cap
 * throughput).
 */
@Injectable()
export class DeliveryRecorder {
  private readonly logger = new Logger('Notifications');
  private queue: { attempt: SentAttempt; resolve: () => void }[] = [];
  private draining?: Promise<void>;

  constructor(
    private readonly tx: TransactionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Resolves once this outcome is written (or failed to be: the lease then runs out and the
   * delivery is tried again).
   */
  record(attempt: SentAttempt): Promise<void> {
    return new Promise<void>((resolve) => {
      this.queue.push({ attempt, resolve });
      this.draining ??= this.drain();
    });
  }

  /** Resolves when everything queued so far is written (at shutdown). */
  async flushed(): Promise<void> {
    await this.draining;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      try {
        await this.write(batch.map((b) => b.attempt));
      } catch (error) {
        this.logger.warn({
          msg: 'could not record delivery attempts',
          count: batch.length,
          error: (error as Error).message,
        });
      }
      batch.forEach((b) => b.resolve());
    }
    this.draining = undefined;
  }

  private policy(): RetryPolicy {
    return {
      retryScheduleSeconds: this.config.notifications.retryScheduleSeconds,
      notAttemptedDelayMs: NOT_ATTEMPTED_DELAY_MS,
    };
  }

  private async write(attempts: SentAttempt[]): Promise<void> {
    const now = new Date();
    const policy = this.policy();
    const settled = attempts.map((attempt) => ({
      attempt,
      changes: nextDeliveryState(
        attempt.delivery,
        { result: attempt.result, endpointExists: attempt.endpoint !== undefined },
        policy,
        now,
      ),
    }));
    const lost = await this.tx.run(async (m) => {
      const lostLeases: string[] = [];
      for (const { attempt, changes } of settled) {
        // Only the holder of the lease may settle the row; a late worker whose lease expired
        // (and whose row another instance took over) just records its attempt.
        const update = await m.update(
          NotificationDelivery,
          { id: attempt.delivery.id, leaseToken: attempt.token },
          changes,
        );
        if (update.affected !== 1) lostLeases.push(attempt.delivery.id);
        if (attempt.result.gone && attempt.endpoint) {
          await m.update(
            NotificationEndpoint,
            { id: attempt.endpoint.id },
            { enabled: false, disabledReason: 'target answered 410 Gone', updatedAt: now },
          );
        }
      }
      const rows = attempts.map(({ delivery, result, startedAt, durationMs }) => ({
        id: newId(NOTIFICATION_ID_PREFIX.attempt),
        deliveryId: delivery.id,
        endpointId: delivery.endpointId,
        outcome: result.ok ? ('succeeded' as const) : ('failed' as const),
        responseCode: result.responseCode ?? null,
        durationMs,
        error: result.ok ? null : (result.error ?? 'failed').slice(0, 512),
        startedAt,
      }));
      for (let i = 0; i < rows.length; i += INSERT_CHUNK)
        await m.insert(DeliveryAttempt, rows.slice(i, i + INSERT_CHUNK));
      return lostLeases;
    });
    for (const { endpoint, result } of attempts) {
      this.metrics.notificationAttempts.inc({
        channel: endpoint?.type ?? 'unknown',
        outcome: attemptOutcome(result),
      });
    }
    for (const deliveryId of lost)
      this.logger.warn({ msg: 'lease lost before the attempt was recorded', deliveryId });
    for (const { attempt, changes } of settled) {
      if (attempt.result.ok || attempt.result.notAttempted) continue;
      this.logger.log({
        msg: 'delivery failed',
        deliveryId: attempt.delivery.id,
        endpointId: attempt.delivery.endpointId,
        eventId: attempt.delivery.eventId,
        responseCode: attempt.result.responseCode,
        error: attempt.result.error,
        status: changes.status,
      });
    }
  }
}
