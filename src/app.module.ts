import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { JobsModule } from './common/jobs/jobs.module';
import type { AppConfig } from './config/app.config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { ProvidersModule } from './providers/providers.module';
import type { PaymentProvider } from './providers/provider.interface';
import { AuthModule } from './auth/auth.module';
import { IntegrationsModule } from './integrations/integrations.module';
import { PaymentsModule } from './payments/payments.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { HealthModule } from './health/health.module';
import { AdminModule } from './admin/admin.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { PayPalReturnModule } from './webhooks/paypal-return.module';
import { NotificationsModule } from './notifications/notifications.module';
import { RetentionModule } from './retention/retention.module';
import { ProblemDetailsFilter } from './common/errors/problem-details.filter';
import { CryptoModule } from './common/crypto/crypto.module';
import { MetricsModule } from './metrics/metrics.module';
import { RateLimiterModule } from './common/http/rate-limiter.module';
import { RedisModule } from './common/redis/redis.module';
import { LoggingModule } from './common/logging/logging.module';
import { AuditModule } from './audit/audit.module';

@Module({})
export class AppModule {
  /** `connectors`: more connectors than the built-in ones (ProvidersModule's CONNECTORS). */
  static forRoot(
    config: AppConfig,
    connectors: readonly Type<PaymentProvider>[] = [],
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ScheduleModule.forRoot(),
        JobsModule,
        LoggingModule.forRoot(config.logging),
        DatabaseModule.forRoot(config),
        MetricsModule.forRoot(config),
        RedisModule.forRoot(config.redis),
        RateLimiterModule.forRoot(config.perimeter),
        ProvidersModule.forRoot(config, connectors),
        AuditModule,
        AuthModule,
        IntegrationsModule,
        PaymentsModule,
        WebhooksModule,
        HealthModule,
        AdminModule,
        DashboardModule,
        CryptoModule,
        RetentionModule,
        PayPalReturnModule,
        NotificationsModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }],
    };
  }
}
