import { DynamicModule, Global, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app.config';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { AfterCommitListener } from './after-commit';
import { ScrapeCollectors } from './scrape.collectors';

/**
 * Prometheus metrics: GET /metrics on the internal listener unless PAYMENTSERVER_METRICS=false.
 * Global so every module can count into MetricsService without importing this one.
 */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(config: AppConfig): DynamicModule {
    const enabled = config.metrics.enabled;
    return {
      module: MetricsModule,
      controllers: enabled ? [MetricsController] : [],
      // The listener stays even when off: work queued for a commit must always be taken off again.
      providers: [MetricsService, AfterCommitListener, ...(enabled ? [ScrapeCollectors] : [])],
      exports: [MetricsService],
    };
  }
}
