import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError, EnvReader } from './env-reader';
import { DatabaseConfig } from './database.config';

export interface SecurityConfig {
  /** 32-byte keys; the first encrypts, all decrypt (rotation). */
  encryptionKeys: Buffer[];
  bootstrapApiKey: string | undefined;
  oidcIssuer: string | undefined;
  oidcAudience: string;
  allowPrivateWebhookTargets: boolean;
}

export function parseEncryptionKey(value: string): Buffer | undefined {
  const trimmed = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  const decoded = Buffer.from(trimmed, 'base64');
  return decoded.length === 32 ? decoded : undefined;
}

/**
 * In development on an embedded database the key is generated once and kept beside the
 * database file, so a restart can still read the credentials it encrypted.
 */
function developmentKey(database: DatabaseConfig): Buffer {
  if (database.driver !== 'sqlite') return randomBytes(32);
  const file = path.join(path.dirname(database.url), 'encryption.key');
  if (fs.existsSync(file)) {
    const key = parseEncryptionKey(fs.readFileSync(file, 'utf8'));
    if (key) return key;
  }
  const key = randomBytes(32);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600 });
  return key;
}

export function loadSecurityConfig(reader: EnvReader, database: DatabaseConfig): SecurityConfig {
  const rawKey = reader.optionalString('PAYMENTSERVER_ENCRYPTION_KEY');
  let encryptionKeys: Buffer[];
  if (rawKey) {
    encryptionKeys = rawKey.split(',').map((part) => {
      const key = parseEncryptionKey(part);
      if (!key) {
        throw new ConfigError(
          'PAYMENTSERVER_ENCRYPTION_KEY',
          'must be 32 bytes as 64 hex characters or base64 (comma-separated to keep old keys for decryption)',
        );
      }
      return key;
    });
  } else if (reader.isProduction || !['memory', 'sqlite'].includes(database.driver)) {
    throw new ConfigError(
      'PAYMENTSERVER_ENCRYPTION_KEY',
      'is required in production and for server databases (generate one: openssl rand -base64 32)',
    );
  } else {
    encryptionKeys = [developmentKey(database)];
  }

  const bootstrapApiKey = reader.optionalString('PAYMENTSERVER_BOOTSTRAP_API_KEY');
  if (bootstrapApiKey !== undefined && bootstrapApiKey.length < 16) {
    throw new ConfigError('PAYMENTSERVER_BOOTSTRAP_API_KEY', 'must be at least 16 characters');
  }

  return {
    encryptionKeys,
    bootstrapApiKey,
    oidcIssuer: reader.url('PAYMENTSERVER_OIDC_ISSUER'),
    oidcAudience: reader.string('PAYMENTSERVER_OIDC_AUDIENCE', 'urn:paymentserver'),
    allowPrivateWebhookTargets: reader.boolean(
      'PAYMENTSERVER_ALLOW_PRIVATE_WEBHOOK_TARGETS',
      !reader.isProduction,
    ),
  };
}
