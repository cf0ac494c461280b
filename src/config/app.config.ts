import { ConfigError, Env, EnvReader } from './env-reader';
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

export interface ServerConfig {
  port: number;
  publicPort: number | undefined;
  /** Base URL of the webhook surface handed to providers. */
  publicUrl: string;
  /** Base URL of the internal listener (the test provider's checkout page lives there). */
  internalUrl: string;
  swagger: boolean;
  testProvider: boolean;
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
}

export const APP_CONFIG = Symbol('APP_CONFIG');

export function loadServerConfig(reader: EnvReader): ServerConfig {
  const port = reader.port('PAYMENTSERVER_PORT', 28888)!;
  const publicPort = reader.port('PAYMENTSERVER_PUBLIC_PORT', undefined);
  if (publicPort !== undefined && publicPort !== 0 && publicPort === port) {
    throw new ConfigError('PAYMENTSERVER_PUBLIC_PORT', 'must differ from PAYMENTSERVER_PORT');
  }
  const internalUrl = reader.url('PAYMENTSERVER_INTERNAL_URL', `http://localhost:${port}`)!;
  return {
    port,
    publicPort,
    publicUrl: reader.url('PAYMENTSERVER_PUBLIC_URL', `http://localhost:${publicPort || port}`)!,
    internalUrl,
    swagger: reader.boolean('PAYMENTSERVER_SWAGGER', !reader.isProduction),
    testProvider: reader.boolean('PAYMENTSERVER_TEST_PROVIDER', !reader.isProduction),
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
  };
}
