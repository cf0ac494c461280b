/**
 * Every configuration key, declared once (per area in keys/<area>.keys.ts, merged here). The
 * readers in this folder take each key's type, default and bounds from here; `.env.example` and the table in docs/configuration.md are
 * generated from it (`npm run config:docs`), and a spec fails when either drifts or when code
 * reads a PAYMENTSERVER_* key that is not declared.
 */
import { SERVER_KEYS } from './keys/server.keys';
import { SECURITY_KEYS } from './keys/security.keys';
import { NOTIFICATION_KEYS } from './keys/notifications.keys';
import { PAYMENT_KEYS } from './keys/payments.keys';
import { RETENTION_KEYS } from './keys/retention.keys';
import type { ConfigKey } from './keys/config-key';

export * from './keys/config-key';

/** In the order of CONFIG_SECTIONS: `.env.example` and the docs list them in this order. */
export const CONFIG_KEYS: readonly ConfigKey[] = [
  ...SERVER_KEYS,
  ...SECURITY_KEYS,
  ...NOTIFICATION_KEYS,
  ...PAYMENT_KEYS,
  ...RETENTION_KEYS,
];

const BY_NAME = new Map(CONFIG_KEYS.map((key) => [key.name, key]));

/** The declaration of `name`; a key that is not declared is a programming error. */
export function configKey(name: string): ConfigKey {
  const key = BY_NAME.get(name);
  if (!key) throw new Error(`Configuration key ${name} is not declared in src/config/keys/`);
  return key;
}

export function isDeclared(name: string): boolean {
  return BY_NAME.has(name);
}

/**
 * PAYMENTSERVER_* variables of `env` that no key declares, sorted: most likely misspelt
 * (a missing underscore), and ignored, so start-up names them.
 */
export function undeclaredKeys(env: Record<string, string | undefined>): string[] {
  return Object.keys(env)
    .filter((name) => name.startsWith('PAYMENTSERVER_') && !isDeclared(name))
    .sort();
}
