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
import { METRIC_PREFIX, MetricsService } from './metrics.service';

const CHANNELS: EndpointType[] = ['webhook', 'rabbitmq'];
const STATUSES: DeliveryStatus[] = ['pending', 'failing', 'delivered', 'dead'];

/**
 * Gauges read when Prometheus scrapes, not kept up to date on the hot path: notification
 * deliveries from the database (one GROUP BY) and circuit state from this instance's breaker.
 */
@Injectable()
export class ScrapeCollectors implements OnModuleInit {
  private readonly logger = new Logger('Metrics');
  private breaker?: CircuitBreaker;
  /** Accounts once seen by the breaker keep reporting (0 when closed) instead of vanishing. */
  private readonly seenAccounts = new Set<string>();

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

  collectCircuits(gauge: Gauge<'provider_account_id'>): void {
    if (!this.breaker) return;
    for (const id of this.breaker.accountIds()) this.seenAccounts.add(id);
    gauge.reset();
    for (const id of this.seenAccounts) {
      gauge.set({ provider_account_id: id }, this.breaker.state(id) === 'closed' ? 0 : 1);
    }
  }
}
