import type { ModuleRef } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import { CircuitBreaker } from '../routing/circuit-breaker';
import { MetricsService } from './metrics.service';
import { ScrapeCollectors } from './scrape.collectors';

describe('ScrapeCollectors', () => {
  function setup(rows: () => Promise<unknown[]>) {
    const metrics = new MetricsService({ metrics: { enabled: false } });
    const breaker = new CircuitBreaker({
      routing: { circuitFailureThreshold: 1, circuitCooldownMs: 60_000 } as never,
    });
    const queryBuilder: Record<string, unknown> = {};
    for (const step of ['innerJoin', 'select', 'addSelect', 'groupBy', 'addGroupBy'])
      queryBuilder[step] = () => queryBuilder;
    queryBuilder.getRawMany = rows;
    const dataSource = {
      getRepository: () => ({ createQueryBuilder: () => queryBuilder }),
    } as unknown as DataSource;
    const moduleRef = { get: () => breaker } as unknown as ModuleRef;
    const collectors = new ScrapeCollectors(metrics, dataSource, moduleRef);
    collectors.onModuleInit();
    const values = async (name: string) =>
      (await metrics.registry.getSingleMetric(name)!.get()).values;
    return { breaker, values };
  }

  it('reports delivery counts per channel and status, every combination present', async () => {
    const { values } = setup(async () => [
      { channel: 'webhook', status: 'delivered', count: '7' },
      { channel: 'rabbitmq', status: 'dead', count: 2 },
    ]);
    const found = await values('paymentserver_notification_deliveries');
    expect(found).toHaveLength(8);
    expect(found).toContainEqual({ labels: { channel: 'webhook', status: 'delivered' }, value: 7 });
    expect(found).toContainEqual({ labels: { channel: 'rabbitmq', status: 'dead' }, value: 2 });
    expect(found).toContainEqual({ labels: { channel: 'webhook', status: 'pending' }, value: 0 });
  });

  it('leaves the delivery series out, instead of failing the scrape, when the database cannot answer', async () => {
    const { values } = setup(async () => {
      throw new Error('connection lost');
    });
    expect(await values('paymentserver_notification_deliveries')).toEqual([]);
  });

  it('shows 1 for an open circuit and keeps the account at 0 once it closes', async () => {
    const { breaker, values } = setup(async () => []);
    expect(await values('paymentserver_provider_circuit_open')).toEqual([]);
    breaker.recordRetryableFailure('pa_down', 'timeout');
    expect(await values('paymentserver_provider_circuit_open')).toEqual([
      { labels: { provider_account_id: 'pa_down' }, value: 1 },
    ]);
    breaker.recordHealthy('pa_down');
    expect(await values('paymentserver_provider_circuit_open')).toEqual([
      { labels: { provider_account_id: 'pa_down' }, value: 0 },
    ]);
  });
});
