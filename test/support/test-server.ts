import * as net from 'node:net';
import { randomBytes } from 'node:crypto';
import type { Type } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { PaymentProvider } from '../../src/providers/provider.interface';
import { getDataSourceToken } from '@nestjs/typeorm';
import { loadAppConfig } from '../../src/config/app.config';
import { ProviderAccount } from '../../src/providers/provider-account.entity';
import { ProviderAccountsService } from '../../src/providers/provider-accounts.service';
import { RunningServer, startServer } from '../../src/bootstrap';
import { createTestDatabase, TestDatabase } from './databases';
import { Dialect } from './services';
import { sharedTestIdp, TestIdp, TokenOptions } from './test-idp';

export interface TestServer {
  baseUrl: string;
  port: number;
  apiKey: string;
  server: RunningServer;
  dataSource: DataSource;
  env: Record<string, string>;
  /** The OpenID Connect provider (a real oidc-provider) the server trusts. */
  idp: TestIdp;
  /** A client_credentials access token with scope paymentserver:admin unless told otherwise. */
  adminToken(options?: TokenOptions): Promise<string>;
  /** An access token of OIDC client `clientId` (link it to an integration with `oidcClientId`). */
  clientToken(clientId: string, options?: TokenOptions): Promise<string>;
  /**
   * Calls the API with the bootstrap integration's key unless told otherwise; with `token`
   * it sends `Authorization: Bearer <token>` and no API key.
   */
  request(
    method: string,
    path: string,
    options?: {
      body?: unknown;
      headers?: Record<string, string>;
      apiKey?: string | null;
      token?: string;
    },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
  /** Stops and drops the database. */
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * NODE_ENV=test gets production defaults; the suites turn on, by their own variables, the
 * development features they use. `developmentFeatures: false` leaves NODE_ENV unset and these
 * off: the server as production starts it.
 */
export const TEST_FEATURES: Record<string, string> = {
  NODE_ENV: 'test',
  PAYMENTSERVER_TEST_PROVIDER: 'true',
  PAYMENTSERVER_TEST_PROVIDER_MANUAL_WEBHOOKS: 'true',
  PAYMENTSERVER_SWAGGER: 'true',
  PAYMENTSERVER_ALLOW_PRIVATE_WEBHOOK_TARGETS: 'true',
};

/**
 * Starts the real server (all listeners, real database) on free ports. It trusts the worker's
 * shared test identity provider unless `idp` (or PAYMENTSERVER_OIDC_ISSUER in `env`) says otherwise.
 */
export async function startTestServer(
  options: {
    dialect?: Dialect;
    env?: Record<string, string>;
    database?: TestDatabase;
    idp?: TestIdp;
    developmentFeatures?: boolean;
    /** Connectors beyond the built-in ones (test/support/connectors/). */
    connectors?: readonly Type<PaymentProvider>[];
  } = {},
): Promise<TestServer> {
  const idp = options.idp ?? (await sharedTestIdp());
  const database = options.database ?? (await createTestDatabase(options.dialect ?? 'sqlite'));
  const port = await freePort();
  const apiKey = `test_bootstrap_${randomBytes(12).toString('hex')}`;
  const env: Record<string, string> = {
    ...(options.developmentFeatures === false ? {} : TEST_FEATURES),
    PAYMENTSERVER_PORT: String(port),
    PAYMENTSERVER_BOOTSTRAP_API_KEY: apiKey,
    PAYMENTSERVER_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    PAYMENTSERVER_OIDC_ISSUER: idp.issuer,
    PAYMENTSERVER_OIDC_AUDIENCE: idp.audience,
    ...database.env,
    ...options.env,
  };
  let server: RunningServer;
  try {
    server = await startServer(loadAppConfig(env), {
      logger: process.env.TEST_LOGS === 'true',
      connectors: options.connectors,
    });
  } catch (error) {
    if (!options.database) await database.drop();
    throw error;
  }
  const baseUrl = `http://localhost:${server.port}`;
  const effectiveKey = env.PAYMENTSERVER_BOOTSTRAP_API_KEY;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.close();
  };
  return {
    baseUrl,
    port: server.port,
    apiKey: effectiveKey,
    server,
    env,
    dataSource: server.app.get<DataSource>(getDataSourceToken()),
    idp,
    adminToken: (opts) => idp.adminToken(opts),
    clientToken: (clientId, opts) => idp.clientToken(clientId, opts),
    async request(method, path, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.token !== undefined) {
        headers.authorization = `Bearer ${opts.token}`;
      } else {
        const key = opts.apiKey === undefined ? effectiveKey : opts.apiKey;
        if (key) headers['x-api-key'] = key;
      }
      let body: string | undefined;
      if (opts.body !== undefined) {
        body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers,
        body,
        redirect: 'manual',
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON */
      }
      return { status: response.status, body: parsed as any, headers: response.headers };
    },
    stop,
    async close() {
      await stop();
      await database.drop();
    },
  };
}

/**
 * Inserts an enabled `test` provider account straight into the database, as the seeder would
 * (no admin call): `settings` such as `failureMode`, `baseUrl` for an upstream to announce to.
 */
export async function insertTestAccount(
  server: TestServer,
  id: string,
  {
    settings = {},
    baseUrl = null,
  }: { settings?: Record<string, unknown>; baseUrl?: string | null },
): Promise<void> {
  const accounts = server.server.app.get(ProviderAccountsService);
  const now = new Date();
  await server.dataSource.getRepository(ProviderAccount).insert({
    id,
    provider: 'test',
    name: id,
    credentialsSealed: accounts.sealCredentials({}),
    settings: settings as never,
    baseUrl,
    testMode: true,
    enabled: true,
    createdAt: now,
    updatedAt: now,
  });
}

export function paymentBody(overrides: Record<string, unknown> = {}) {
  return {
    amount: { value: 1050, currency: 'EUR' },
    description: 'Order #1042',
    reference: `order-${randomBytes(4).toString('hex')}`,
    returnUrl: 'https://shop.example/return',
    cancelUrl: 'https://shop.example/cancel',
    ...overrides,
  };
}

/** Submits the test provider's checkout form like a customer's browser would. */
export async function submitCheckout(
  checkoutUrl: string,
  fields: Record<string, string>,
): Promise<Response> {
  return fetch(checkoutUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Another instance of `first`'s deployment: the same database, bootstrap API key and encryption key. */
export function startPeer(
  first: TestServer,
  database: TestDatabase,
  env: Record<string, string> = {},
): Promise<TestServer> {
  return startTestServer({
    database,
    env: {
      ...env,
      PAYMENTSERVER_BOOTSTRAP_API_KEY: first.apiKey,
      PAYMENTSERVER_ENCRYPTION_KEY: first.env.PAYMENTSERVER_ENCRYPTION_KEY,
    },
  });
}
