import { EnvReader } from './env-reader';

export interface MetricsConfig {
  /** Serve GET /metrics (Prometheus text format) on the internal listener. */
  enabled: boolean;
}

export function loadMetricsConfig(reader: EnvReader): MetricsConfig {
  return { enabled: reader.boolean('PAYMENTSERVER_METRICS') };
}
