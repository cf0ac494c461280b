import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Repository } from 'typeorm';
import { newId } from '../common/ids/id';
import { TransactionService } from '../database/transaction.service';
import { NotificationDelivery } from './notification-delivery.entity';
import { NotificationEndpoint } from './notification-endpoint.entity';
import { NOTIFICATION_ID_PREFIX } from './notification-ids';
import { OutboxEvent } from './outbox-event.entity';

const FAN_OUT_BATCH = 200;
/** Rows per multi-row INSERT (16 columns × 100 stays under SQL Server's parameter limit). */
const INSERT_CHUNK = 100;

/**
 * Turns new outbox events into one delivery row per enabled endpoint of the event's
 * integration that subscribes to its type. The outbox row is taken by a conditional UPDATE,
 * so exactly one instance fans each event out.
 */
@Injectable()
export class OutboxFanOut {
  constructor(
    @InjectRepository(OutboxEvent) private readonly outbox: Repository<OutboxEvent>,
    @InjectRepository(NotificationEndpoint)
    private readonly endpoints: Repository<NotificationEndpoint>,
    private readonly tx: TransactionService,
  ) {}

  /** Fans out one batch; returns how many events this instance took. */
  async fanOut(): Promise<number> {
    const events = await this.outbox.find({
      // What a delivery row copies; not the payload (read, and parsed, only to deliver).
      select: {
        id: true,
        integrationId: true,
        type: true,
        paymentId: true,
        sequence: true,
        createdAt: true,
      },
      where: { dispatchedAt: IsNull() },
      // A total order: instances lock the same rows in the same order (no deadlocks).
      order: { createdAt: 'ASC', sequence: 'ASC', id: 'ASC' },
      take: FAN_OUT_BATCH,
    });
    if (events.length === 0) return 0;
    const integrationIds = [...new Set(events.map((e) => e.integrationId))];
    const endpoints = await this.endpoints.find({
      where: { integrationId: In(integrationIds), enabled: true },
    });
    const now = new Date();
    // One transaction for the whole batch: the conditional UPDATE hands each event to exactly
    // one instance; its delivery rows are written in the same transaction.
    const subscribed = (event: OutboxEvent) =>
      endpoints.some(
        (e) => e.integrationId === event.integrationId && e.events.includes(event.type),
      );
    // Events no endpoint wants (a shop without notifications: most of them) make no delivery
    // rows, so which instance takes them does not matter: one UPDATE closes them all.
    const unwanted = events.filter((event) => !subscribed(event)).map((event) => event.id);
    const wanted = events.filter(subscribed);
    return this.tx.run(async (m) => {
      const rows: NotificationDelivery[] = [];
      let taken = 0;
      if (unwanted.length > 0) {
        const closed = await m.update(
          OutboxEvent,
          { id: In(unwanted), dispatchedAt: IsNull() },
          { dispatchedAt: now },
        );
        taken += closed.affected ?? 0;
      }
      for (const event of wanted) {
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
          rows.push(newDelivery(event, endpoint, now));
        }
      }
      // Chunks keep each statement under SQL Server's 2,100 parameters.
      for (let i = 0; i < rows.length; i += INSERT_CHUNK)
        await m.insert(NotificationDelivery, rows.slice(i, i + INSERT_CHUNK));
      return taken;
    });
  }
}

function newDelivery(
  event: OutboxEvent,
  endpoint: NotificationEndpoint,
  now: Date,
): NotificationDelivery {
  return {
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
  };
}
