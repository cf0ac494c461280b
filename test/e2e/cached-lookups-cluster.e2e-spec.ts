import * as http from 'node:http';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { Dialect, serviceUrl } from '../support/services';
import { paymentBody, startPeer, startTestServer, TestServer } from '../support/test-server';

/**
 * API keys and provider accounts are cached per instance and checked against version rows on
 * every request. These tests change them on instance A and expect instance B, whose cache holds
 * the old state, to act on the change with its very next request.
 */
const dialects: Dialect[] = [
  'sqlite',
  ...(['mysql', 'postgres'] as const).filter((d) => serviceUrl(d)),
];

describe.each(dialects)(
  'cached keys and accounts on two instances sharing one %s database',
  (dialect) => {
    let database: TestDatabase;
    let a: TestServer;
    let b: TestServer;
    let admin: string;

    beforeAll(async () => {
      database = await createTestDatabase(dialect);
      a = await startTestServer({ database });
      b = await startPeer(a, database);
      admin = await a.adminToken();
    });

    afterAll(async () => {
      await a?.stop();
      await b?.stop();
      await database?.drop();
    });

    it('refuses on B, at its next request, a key revoked on A', async () => {
      const integrations = '/api/v1/admin/integrations';
      const integration = (
        await a.request('POST', integrations, {
          token: admin,
          body: { name: 'revoked-elsewhere', defaultProviderAccountId: 'test' },
        })
      ).body;
      const { id, key } = (
        await a.request('POST', `${integrations}/${integration.id}/api-keys`, { token: admin })
      ).body;
      // B knows the key now (cached), and keeps answering with it.
      for (let i = 0; i < 3; i++) {
        expect(
          (await b.request('POST', '/api/v1/payments', { apiKey: key, body: paymentBody() }))
            .status,
        ).toBe(201);
      }

      const revoked = await a.request(
        'DELETE',
        `${integrations}/${integration.id}/api-keys/${id}`,
        {
          token: admin,
        },
      );
      expect(revoked.status).toBe(204);
      expect(
        (await b.request('POST', '/api/v1/payments', { apiKey: key, body: paymentBody() })).status,
      ).toBe(401);
      expect((await a.request('GET', '/api/v1/payments', { apiKey: key })).status).toBe(401);
      // The bootstrap key, cached on both, still works.
      expect((await b.request('GET', '/api/v1/payments')).status).toBe(200);
    });

    it('uses on B, at its next payment, a provider account changed on A', async () => {
      const accounts = '/api/v1/admin/provider-accounts';
      const account = (
        await a.request('POST', accounts, {
          token: admin,
          body: { provider: 'test', name: 'changed-elsewhere', credentials: {}, settings: {} },
        })
      ).body;
      const pinned = () =>
        b.request('POST', '/api/v1/payments', {
          body: paymentBody({ providerAccountId: account.id }),
        });
      const first = await pinned();
      expect(first.status).toBe(201);
      expect(first.body.status).toBe('pending');

      // A starts declining on this account: B's next payment through it is declined.
      expect(
        (
          await a.request('PATCH', `${accounts}/${account.id}`, {
            token: admin,
            body: { settings: { failureMode: 'decline' } },
          })
        ).status,
      ).toBe(200);
      const declined = await pinned();
      expect(declined.body.status).toBe('failed');
      expect(declined.body.failure?.code ?? declined.body.failureCode).toBe('declined');

      // A points the account at an upstream, with new credentials (required with a new host):
      // B announces its next payment there.
      const announced: string[] = [];
      const upstream = http.createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          announced.push(JSON.parse(body).paymentId);
          res.writeHead(201).end('{}');
        });
      });
      await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
      try {
        const port = (upstream.address() as { port: number }).port;
        const pointed = await a.request('PATCH', `${accounts}/${account.id}`, {
          token: admin,
          body: {
            settings: { failureMode: 'none' },
            baseUrl: `http://127.0.0.1:${port}`,
            credentials: { apiKey: 'rotated' },
          },
        });
        expect(pointed.status).toBe(200);
        const third = await pinned();
        expect(third.status).toBe(201);
        expect(third.body.status).toBe('pending');
        expect(announced).toEqual([third.body.id]);
      } finally {
        await new Promise((resolve) => upstream.close(resolve));
      }
    });

    it('answers on B, at its next webhook, for a provider account deleted on A', async () => {
      const accounts = '/api/v1/admin/provider-accounts';
      const account = (
        await a.request('POST', accounts, {
          token: admin,
          body: { provider: 'test', name: 'deleted-elsewhere', credentials: {}, settings: {} },
        })
      ).body;
      const webhook = () =>
        fetch(`${b.baseUrl}/webhooks/test/${account.id}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'test-signature': 't=1,v1=00' },
          body: '{}',
        });
      // B knows the account (cached with the routing state): a bad signature is a 401.
      for (let i = 0; i < 2; i++) expect((await webhook()).status).toBe(401);

      const deleted = await a.request('DELETE', `${accounts}/${account.id}`, { token: admin });
      expect(deleted.status).toBe(204);
      // B's next webhook for it finds no such endpoint, as A would.
      expect((await webhook()).status).toBe(404);
    });
  },
);
