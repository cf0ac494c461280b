import { randomBytes } from 'node:crypto';
import { paymentBody, TestServer } from './test-server';

/**
 * What the two-instance suites (circuit-cluster, rate-limits-cluster, redis-cluster) do to a
 * pair of servers: provider accounts, a shop routed to a flaky account with a spare, account
 * health, and webhooks that count against the per-address limit.
 */

/** Waits out the end of the current one-minute rate-limit window when it is about to end. */
export async function awayFromWindowEdge(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 15_000) await new Promise((resolve) => setTimeout(resolve, left + 100));
}

/**
 * A webhook from `ip` (through X-Forwarded-For, trusted from a loopback peer as behind a local
 * proxy) that fails verification: it counts against the address's webhook limit. Its status.
 */
export function unsignedWebhook(via: TestServer, ip: string): Promise<number> {
  return fetch(`${via.baseUrl}/webhooks/test/test`, {
    method: 'POST',
    headers: {
      'x-forwarded-for': ip,
      'content-type': 'application/json',
      'test-signature': 'v1=bad',
    },
    body: '{}',
  }).then((r) => r.status);
}

/** A `test` provider account created through `server`'s admin API; its id. */
export async function testAccount(
  server: TestServer,
  admin: string,
  name: string,
  settings: Record<string, unknown> = {},
): Promise<string> {
  const res = await server.request('POST', '/api/v1/admin/provider-accounts', {
    token: admin,
    body: { provider: 'test', name, credentials: {}, settings },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

/**
 * A fresh integration whose one rule sends payments to `target`, falling back to `spare`; the
 * function pays through the server given.
 */
export async function shopRoutedTo(
  server: TestServer,
  admin: string,
  target: string,
  spare: string,
): Promise<(via: TestServer) => ReturnType<TestServer['request']>> {
  const integration = (
    await server.request('POST', '/api/v1/admin/integrations', {
      token: admin,
      body: { name: `shop-${randomBytes(4).toString('hex')}` },
    })
  ).body;
  const key = (
    await server.request('POST', `/api/v1/admin/integrations/${integration.id}/api-keys`, {
      token: admin,
    })
  ).body.key as string;
  const rule = await server.request('POST', '/api/v1/admin/routing-rules', {
    token: admin,
    body: {
      name: 'flaky first',
      priority: 1,
      integrationId: integration.id,
      targets: [{ providerAccountId: target, weight: 1 }],
      fallback: [spare],
    },
  });
  expect(rule.status).toBe(201);
  return (via) => via.request('POST', '/api/v1/payments', { apiKey: key, body: paymentBody() });
}

/** The account's circuit as `via` reports it (GET …/provider-accounts/{id}/health). */
export async function accountHealth(via: TestServer, admin: string, id: string): Promise<any> {
  return (
    await via.request('GET', `/api/v1/admin/provider-accounts/${id}/health`, { token: admin })
  ).body;
}
