import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { CircuitBreaker } from '../routing/circuit-breaker';
import {
  NotificationDelivery,
  DeliveryStatus,
} from '../notifications/notification-delivery.entity';
import { EndpointType, NotificationEndpoint } from '../notifications/notification-endpoint.entity';
import { WEBHOOK_DELIVERY_STATUSES, WebhookDelivery } from '../webhooks/webhook-delivery.entity';
import { METRIC_PREFIX, MetricsService } from './metrics.service';

const CHANNELS: EndpointType[] = ['webhook', 'rabbitmq'];
const STATUSES: DeliveryStatus[] = ['pending', 'failing', 'delivered', 'dead'];

/**
 * Gauges read when Prometheus scrapes, not kept up to date on the hot path: notification
 * deliveries and the provider webhook inbox from the database (one GROUP BY each) and circuit
 * state from this instance's breaker.
 */
@Injectable()
export class ScrapeCollectors implements OnModuleInit {
  private readonly logger = new Logger('Metrics');
  private breaker?: CircuitBreaker;
  /** Accounts once seen by the breaker keep reporting (0 when closed) instead of vanishing. */
  private readonly seenAccounts = new Set<string>();
  /** Providers once seen in the inbox keep every status series (0 when empty), so `dead > 0` alerts work. */
  private readonly seenProviders = new Set<string>();

  constructor(
    private readonly metrics: MetricsService,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    this.breaker = this.moduleRef.get(CircuitBreaker, { strict: false });
    const deliveries: Gauge<'channel' | 'status'> = new Gauge({
      name: `${METRIC_PREFIX}notification_deliveries`,
      help: 'Status notification deliveries in the database by channel type and status',
      labelNames: ['channel', 'status'] as const,
      registers: [this.metrics.registry],
      collect: () => this.collectDeliveries(deliveries),
    });
    const inbox: Gauge<'provider' | 'status'> = new Gauge({
      name: `${METRIC_PREFIX}provider_webhooks`,
      help: 'Provider webhook inbox rows by provider and status (received, processed, failed, dead, rejected)',
      labelNames: ['provider', 'status'] as const,
      registers: [this.metrics.registry],
      collect: () => this.collectInbox(inbox),
    });
    const circuits: Gauge<'provider_account_id'> = new Gauge({
      name: `${METRIC_PREFIX}provider_circuit_open`,
      help: "1 while this instance's circuit breaker keeps the provider account out of rotation (open or half-open), else 0",
      labelNames: ['provider_account_id'] as const,
      registers: [this.metrics.registry],
      collect: () => this.collectCircuits(circuits),
    });
  }

  async collectDeliveries(gauge: Gauge<'channel' | 'status'>): Promise<void> {
    gauge.reset();
    let rows: { channel: string; status: string; count: string | number }[];
    try {
      rows = await this.dataSource
        .getRepository(NotificationDelivery)
        .createQueryBuilder('d')
        .innerJoin(NotificationEndpoint, 'e', 'e.id = d.endpointId')
        .select('e.type', 'channel')
        .addSelect('d.status', 'status')
        .addSelect('COUNT(*)', 'count')
        .groupBy('e.type')
        .addGroupBy('d.status')
        .getRawMany();
    } catch (error) {
      // The rest of the scrape is still worth having; the gap in this series shows the failure.
      this.logger.warn({
        msg: 'notification delivery metrics unavailable',
        error: (error as Error).message,
      });
      return;
    }
    for (const channel of CHANNELS)
      for (const status of STATUSES) gauge.set({ channel, status }, 0);
    for (const row of rows)
      gauge.set({ channel: row.channel, status: row.status }, Number(row.count));
  }

  async collectInbox(gauge: Gauge<'provider' | 'status'>): Promise<void> {
    gauge.reset();
    let rows: { provider: string; status: string; count: string | number }[];
    try {
      rows = await this.dataSource
        .getRepository(WebhookDelivery)
        .createQueryBuilder('w')
        .select('w.provider', 'provider')
        .addSelect('w.status', 'status')
        .addSelect('COUNT(*)', 'count')
        .groupBy('w.provider')
        .addGroupBy('w.status')
        .getRawMany();
    } catch (error) {
      this.logger.warn({
        msg: 'provider webhook inbox metrics unavailable',
        error: (error as Error).message,
      });
      return;
    }
    for (const row of rows) this.seenProviders.add(row.provider);
    for (const provider of this.seenProviders)
      for (const status of WEBHOOK_DELIVERY_STATUSES) gauge.set({ provider, status }, 0);
    for (const row of rows)
      gauge.set({ provider: row.provider, status: row.status }, Number(row.count));
  }

  collectCircuits(gauge: Gauge<'provider_account_id'>): void {
    if (!this.breaker) return;
    for (const id of this.breaker.accountIds()) this.seenAccounts.add(id);
    gauge.reset();
    for (const id of this.seenAccounts) {
      gauge.set({ provider_account_id: id }, this.breaker.state(id) === 'closed' ? 0 : 1);
    }
  }
}
