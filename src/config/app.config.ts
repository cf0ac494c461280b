import { ConfigError, Env, EnvReader, Environment } from './env-reader';
import { DatabaseConfig, loadDatabaseConfig } from './database.config';
import { loadSecurityConfig, SecurityConfig } from './security.config';
import { loadNotificationsConfig, NotificationsConfig } from './notifications.config';
import { loadReconciliationConfig, ReconciliationConfig } from './reconciliation.config';
import { loadPerimeterConfig, PerimeterConfig } from './perimeter.config';
import { loadRoutingConfig, RoutingConfig } from './routing.config';
import { loadRetentionConfig, RetentionConfig } from './retention.config';
import { loadMetricsConfig, MetricsConfig } from './metrics.config';
import { loadWebhooksConfig, WebhooksConfig } from './webhooks.config';
import { loadLoggingConfig, LoggingConfig } from './logging.config';
import { IdempotencyConfig, loadIdempotencyConfig } from './idempotency.config';
import { loadRedisConfig, RedisConfig } from './redis.config';

export interface ServerConfig {
  port: number;
  publicPort: number | undefined;
  /** Base URL of the webhook surface handed to providers. */
  publicUrl: string;
  /** Base URL of the internal listener (the test provider's checkout page lives there). */
  internalUrl: string;
  swagger: boolean;
  testProvider: boolean;
  /** The test provider's developer hook POST /test-provider/payments/{id}/webhooks (unauthenticated). */
  testProviderManualWebhooks: boolean;
  environment: Environment;
  /** NODE_ENV=production or unset (or anything but development/test). */
  production: boolean;
}

export interface AppConfig {
  server: ServerConfig;
  database: DatabaseConfig;
  security: SecurityConfig;
  notifications: NotificationsConfig;
  reconciliation: ReconciliationConfig;
  perimeter: PerimeterConfig;
  routing: RoutingConfig;
  retention: RetentionConfig;
  metrics: MetricsConfig;
  webhooks: WebhooksConfig;
  logging: LoggingConfig;
  idempotency: IdempotencyConfig;
  /** PAYMENTSERVER_REDIS_URL: unset (or absent), the instances share through the database. */
  redis?: RedisConfig;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

export function loadServerConfig(reader: EnvReader): ServerConfig {
  const port = reader.port('PAYMENTSERVER_PORT')!;
  const publicPort = reader.port('PAYMENTSERVER_PUBLIC_PORT');
  if (publicPort !== undefined && publicPort !== 0 && publicPort === port) {
    throw new ConfigError('PAYMENTSERVER_PUBLIC_PORT', 'must differ from PAYMENTSERVER_PORT');
  }
  const internalUrl = reader.url('PAYMENTSERVER_INTERNAL_URL', `http://localhost:${port}`)!;
  // Development-only features default to on only with NODE_ENV=development.
  const testProvider = reader.boolean('PAYMENTSERVER_TEST_PROVIDER', reader.isDevelopment);
  if (testProvider && reader.isProduction) {
    throw new ConfigError(
      'PAYMENTSERVER_TEST_PROVIDER',
      'must not be true in production (NODE_ENV is unset or production): the test provider marks payments paid that nobody paid',
    );
  }
  const manualWebhooks = reader.boolean(
    'PAYMENTSERVER_TEST_PROVIDER_MANUAL_WEBHOOKS',
    reader.isDevelopment && testProvider,
  );
  if (manualWebhooks && !testProvider) {
    throw new ConfigError(
      'PAYMENTSERVER_TEST_PROVIDER_MANUAL_WEBHOOKS',
      'needs PAYMENTSERVER_TEST_PROVIDER=true',
    );
  }
  return {
    port,
    publicPort,
    publicUrl: reader.url('PAYMENTSERVER_PUBLIC_URL', `http://localhost:${publicPort || port}`)!,
    internalUrl,
    swagger: reader.boolean('PAYMENTSERVER_SWAGGER', reader.isDevelopment),
    testProvider,
    testProviderManualWebhooks: manualWebhooks,
    environment: reader.environment,
    production: reader.isProduction,
  };
}

/** Validates every key once; throws ConfigError (one line naming the key) on the first bad one. */
export function loadAppConfig(env: Env = process.env): AppConfig {
  const reader = new EnvReader(env);
  const database = loadDatabaseConfig(reader);
  return {
    server: loadServerConfig(reader),
    database,
    security: loadSecurityConfig(reader, database),
    notifications: loadNotificationsConfig(reader),
    reconciliation: loadReconciliationConfig(reader),
    perimeter: loadPerimeterConfig(reader),
    routing: loadRoutingConfig(reader),
    retention: loadRetentionConfig(reader),
    metrics: loadMetricsConfig(reader),
    webhooks: loadWebhooksConfig(reader),
    logging: loadLoggingConfig(reader),
    idempotency: loadIdempotencyConfig(reader),
    redis: loadRedisConfig(reader),
  };
}
