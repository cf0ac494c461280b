import { rawRequest, signedTestWebhook } from '../support/perimeter';
import { SERVER_NAME } from '../support/reverse-proxy';
import { Cluster, nginxProgram, startCluster } from '../support/cluster';
import { serviceUrl } from '../support/services';
import { paymentBody } from '../support/test-server';

/** Low, so that the last test reaches it through three instances together. */
const WEBHOOK_LIMIT = 5;

if (!nginxProgram && process.env.CI === 'true') {
  throw new Error(
    'nginx must be installed in CI (apt-get install nginx-light): the compose example may not go untested',
  );
}
const postgres = serviceUrl('postgres');

/**
 * deploy/compose/nginx.conf with the real nginx in front of three server instances on one
 * PostgreSQL database, as docker-compose.yml runs them.
 */
(nginxProgram && postgres ? describe : describe.skip)(
  'the compose example: nginx in front of three instances on one PostgreSQL database',
  () => {
    let cluster: Cluster;

    beforeAll(async () => {
      cluster = await startCluster('postgres', {
        env: { PAYMENTSERVER_WEBHOOK_RATE_LIMIT: String(WEBHOOK_LIMIT) },
      });
    }, 120_000);

    afterAll(async () => {
      await cluster?.stop();
    });

    const upstreams = () => new Set(cluster.servers.map((s) => `127.0.0.1:${s.port}`));

    it('spreads API requests over all three instances', async () => {
      const servedBy: string[] = [];
      for (let i = 0; i < 12; i++) {
        const response = await cluster.request('GET', '/api/v1/payments?limit=1');
        expect(response.status).toBe(200);
        servedBy.push(response.headers.get('x-upstream')!);
      }
      expect(new Set(servedBy)).toEqual(upstreams());
    });

    it('answers the same payment from every instance it reaches through nginx', async () => {
      const created = await cluster.request('POST', '/api/v1/payments', {
        body: paymentBody({ amount: { value: 1234, currency: 'EUR' } }),
      });
      expect(created.status).toBe(201);
      const seen = new Map<string, number>();
      for (let i = 0; i < 6; i++) {
        const read = await cluster.request('GET', `/api/v1/payments/${created.body.id}`);
        expect(read.body).toMatchObject({ id: created.body.id, amount: { value: 1234 } });
        seen.set(read.headers.get('x-upstream')!, read.status);
      }
      expect(new Set(seen.keys())).toEqual(upstreams());
    });

    it('replaces X-Forwarded-For: the audit log records the real client, not the one it claims', async () => {
      const admin = await cluster.servers[0].adminToken();
      const created = await cluster.request('POST', '/api/v1/admin/integrations', {
        token: admin,
        body: { name: 'via nginx' },
        headers: { 'x-forwarded-for': '203.0.113.99' },
      });
      expect(created.status).toBe(201);
      const audit = await cluster.request(
        'GET',
        `/api/v1/admin/audit-events?action=integration.create&targetId=${created.body.id}`,
        { token: admin },
      );
      expect(audit.body.data).toHaveLength(1);
      expect(audit.body.data[0].actor.ip).toBe('127.0.0.1');
    });

    const webhook = (headers: Record<string, string>, body: string) =>
      rawRequest(
        cluster.webhookPort,
        'POST',
        '/webhooks/test/test',
        { Host: SERVER_NAME, 'Content-Type': 'application/json', ...headers },
        { body, tls: { ca: cluster.ca, servername: SERVER_NAME } },
      );

    it('passes a signed webhook over TLS to the webhook-only listeners, and it is applied', async () => {
      const signed = await signedTestWebhook(cluster.servers[1]);
      const response = await webhook({ 'Test-Signature': signed.signature }, signed.body);
      expect(response.status).toBe(200);
      expect(
        (await cluster.request('GET', `/api/v1/payments/${signed.paymentId}`)).body.status,
      ).toBe('paid');
    });

    it('keeps one webhook limit per client over all three instances, whatever X-Forwarded-For it sends', async () => {
      // Earlier tests sent one webhook from this address; the limit counts it too.
      const statuses: number[] = [];
      for (let i = 0; i < WEBHOOK_LIMIT + 1; i++) {
        const response = await webhook(
          { 'Test-Signature': 'v1=bad', 'X-Forwarded-For': `198.51.100.${i + 1}` },
          '{}',
        );
        statuses.push(response.status);
        if (response.status === 429) break;
      }
      // Round robin sent these to all three instances; each alone would allow WEBHOOK_LIMIT.
      expect(statuses.slice(0, -1).every((s) => s === 401)).toBe(true);
      expect(statuses[statuses.length - 1]).toBe(429);
      expect(statuses.length).toBeLessThanOrEqual(WEBHOOK_LIMIT);
    });
  },
);
