import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { freePort } from '../support/test-server';
import {
  devIdpAdminToken,
  ServerProcess,
  spawnServer,
  useServerWithDevIdp,
} from '../support/server-process';
import { loadAppConfig } from '../../src/config/app.config';

const decode = (jwt: string, part: 0 | 1) =>
  JSON.parse(Buffer.from(jwt.split('.')[part], 'base64url').toString());

/** A tiny browser: follows redirects by hand and keeps cookies per path-less name. */
class Browser {
  private readonly cookies = new Map<string, string>();

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0)
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair.indexOf('=');
      const value = pair.slice(at + 1);
      if (value) this.cookies.set(pair.slice(0, at), value);
      else this.cookies.delete(pair.slice(0, at));
    }
    return response;
  }

  /** Follows redirects until one leaves `origin` (returned, not fetched) or a page is served. */
  async follow(
    url: string,
    origin: string,
    init: RequestInit = {},
  ): Promise<{ url: string; response?: Response }> {
    let next = url;
    let response = await this.request(next, init);
    for (let hops = 0; hops < 10 && response.status >= 300 && response.status < 400; hops++) {
      next = new URL(response.headers.get('location')!, next).toString();
      if (!next.startsWith(origin)) return { url: next };
      response = await this.request(next);
    }
    return { url: next, response };
  }
}

describe('the bundled development identity provider (npm start without PAYMENTSERVER_OIDC_ISSUER)', () => {
  let server: ServerProcess;
  let base: string;
  let issuer: string;
  const devIdp = useServerWithDevIdp('devidp');
  beforeAll(() => {
    ({ process: server, base, issuer } = devIdp);
  });

  const adminToken = (scope?: string) => devIdpAdminToken(issuer, scope);

  it('listens on 28890 unless told otherwise', () => {
    expect(
      loadAppConfig({ NODE_ENV: 'development', PAYMENTSERVER_DB: 'memory' }).security.oidc
        .devIdpPort,
    ).toBe(28890);
  });

  it('announces itself as development-only, with its issuer', () => {
    const line = server
      .output()
      .split('\n')
      .filter((text) => text.startsWith('{')) // oidc-provider prints plain-text warnings too
      .map((text) => JSON.parse(text))
      .find((entry) => entry.context === 'DevIdentityProvider');
    expect(line).toMatchObject({ level: 'warn', issuer });
    expect(line.msg).toContain('DEVELOPMENT');
    expect(line.msg).toContain('PAYMENTSERVER_OIDC_ISSUER');
  });

  it('issues JWT access tokens by client_credentials for our audience and scope, which open the admin API', async () => {
    const token = await adminToken('paymentserver:admin');
    expect(decode(token, 0).alg).toBe('RS256');
    const claims = decode(token, 1);
    expect(claims).toMatchObject({
      iss: issuer,
      aud: 'urn:paymentserver',
      client_id: 'paymentserver-admin',
    });
    expect(claims.scope.split(' ')).toContain('paymentserver:admin');
    expect(claims.exp).toBeGreaterThan(Date.now() / 1000);
    const list = await fetch(`${base}/api/v1/admin/integrations`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { data: { name: string }[] }).data.map((i) => i.name)).toContain(
      'default',
    );
  });

  it('gives a token without the admin scope 403 on admin routes', async () => {
    const token = await adminToken('paymentserver:payments');
    expect(decode(token, 1).scope).toBe('paymentserver:payments');
    const list = await fetch(`${base}/api/v1/admin/integrations`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(list.status).toBe(403);
  });

  it('refuses a wrong client secret', async () => {
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('paymentserver-admin:guess').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(response.status).toBe(401);
  });

  it('issues read-only tokens to client paymentserver-viewer: admin GETs yes, writes 403', async () => {
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('paymentserver-viewer:paymentserver-dev-viewer-secret').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials&scope=paymentserver:read',
    });
    expect(response.status).toBe(200);
    const token = ((await response.json()) as { access_token: string }).access_token;
    expect(decode(token, 1)).toMatchObject({
      client_id: 'paymentserver-viewer',
      scope: 'paymentserver:read',
    });
    const headers = { authorization: `Bearer ${token}` };
    expect((await fetch(`${base}/api/v1/admin/provider-accounts`, { headers })).status).toBe(200);
    const me = (await (await fetch(`${base}/api/v1/admin/me`, { headers })).json()) as {
      canWrite: boolean;
    };
    expect(me.canWrite).toBe(false);
    const write = await fetch(`${base}/api/v1/admin/integrations`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'viewer shop' }),
    });
    expect(write.status).toBe(403);
    // The viewer client cannot ask for the admin scope.
    const admin = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('paymentserver-viewer:paymentserver-dev-viewer-secret').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials&scope=paymentserver:admin',
    });
    expect(admin.status).toBe(400);
  });

  describe('authorization code + PKCE for the dashboard client', () => {
    const clientId = 'paymentserver-dashboard';
    const redirectUri = () => `${base.replace('127.0.0.1', 'localhost')}/dashboard/callback`;

    it('advertises S256 PKCE in its discovery document', async () => {
      const discovery = (await (
        await fetch(`${issuer}/.well-known/openid-configuration`)
      ).json()) as Record<string, unknown>;
      expect(discovery.code_challenge_methods_supported).toEqual(['S256']);
      expect(discovery.grant_types_supported).toEqual(
        expect.arrayContaining(['authorization_code', 'client_credentials']),
      );
    });

    it('refuses an authorization request without a code challenge', async () => {
      const url = new URL(`${issuer}/auth`);
      url.search = new URLSearchParams({
        client_id: clientId,
        response_type: 'code',
        redirect_uri: redirectUri(),
        scope: 'openid',
      }).toString();
      const response = await fetch(url, { redirect: 'manual' });
      const location = new URL(response.headers.get('location')!);
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('error_description')).toMatch(/PKCE|code_challenge/);
    });

    /** Signs `login` in on the provider's pages (authorization code + PKCE) and gets a code. */
    const signIn = async (login: string, scope = 'openid paymentserver:admin') => {
      const verifier = randomBytes(32).toString('base64url');
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const state = randomBytes(8).toString('hex');
      const browser = new Browser();
      const authorize = new URL(`${issuer}/auth`);
      authorize.search = new URLSearchParams({
        client_id: clientId,
        response_type: 'code',
        redirect_uri: redirectUri(),
        scope,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state,
      }).toString();

      // Login page, then the consent page, then back to the dashboard with a code.
      let step = await browser.follow(authorize.toString(), issuer);
      const form = (html: string) => new URL(/action="([^"]+)"/.exec(html)![1], issuer).toString();
      const page = await step.response!.text();
      expect(page).toContain('name="login"');
      step = await browser.follow(form(page), issuer, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ prompt: 'login', login, password: 'anything' }),
      });
      if (step.response) {
        const consent = await step.response.text();
        step = await browser.follow(form(consent), issuer, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ prompt: 'consent' }),
        });
      }
      const callback = new URL(step.url);
      expect(callback.origin + callback.pathname).toBe(redirectUri());
      expect(callback.searchParams.get('state')).toBe(state);
      const code = callback.searchParams.get('code')!;
      expect(code).toBeTruthy();

      const exchange = (codeVerifier: string) =>
        fetch(`${issuer}/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            client_id: clientId,
            code,
            redirect_uri: redirectUri(),
            code_verifier: codeVerifier,
          }),
        });
      return { verifier, exchange };
    };

    it('signs a user in and exchanges the code with the verifier for an admin access token', async () => {
      const { verifier, exchange } = await signIn('dev-admin');
      const tokens = await exchange(verifier);
      expect(tokens.status).toBe(200);
      const accessToken = ((await tokens.json()) as { access_token: string }).access_token;
      const claims = decode(accessToken, 1);
      expect(claims).toMatchObject({
        iss: issuer,
        aud: 'urn:paymentserver',
        sub: 'dev-admin',
        roles: ['admin'],
      });
      const list = await fetch(`${base}/api/v1/admin/integrations`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expect(list.status).toBe(200);
      // The code was used once; it is gone, verifier or not.
      expect((await exchange(verifier)).status).toBe(400);
    });

    it('signs the user `viewer` in with a read-only token, even when the admin scope is asked for', async () => {
      const { verifier, exchange } = await signIn(
        'viewer',
        'openid paymentserver:admin paymentserver:read',
      );
      const tokens = await exchange(verifier);
      expect(tokens.status).toBe(200);
      const accessToken = ((await tokens.json()) as { access_token: string }).access_token;
      const claims = decode(accessToken, 1);
      expect(claims).toMatchObject({ sub: 'viewer', roles: ['viewer'] });
      expect(String(claims.scope ?? '').split(' ')).not.toContain('paymentserver:admin');
      const headers = { authorization: `Bearer ${accessToken}` };
      const me = await fetch(`${base}/api/v1/admin/me`, { headers });
      expect(await me.json()).toMatchObject({ sub: 'viewer', roles: ['viewer'], canWrite: false });
      expect((await fetch(`${base}/api/v1/admin/integrations`, { headers })).status).toBe(200);
      const write = await fetch(`${base}/api/v1/admin/integrations`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'viewer shop' }),
      });
      expect(write.status).toBe(403);
    });
  });
});

describe('the development identity provider in production', () => {
  it('is refused: the server stops with one line naming PAYMENTSERVER_OIDC_ISSUER and starts nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paymentserver-devidp-prod-'));
    const idpPort = await freePort();
    try {
      const server = spawnServer({
        NODE_ENV: 'production',
        PAYMENTSERVER_DB_URL: path.join(dir, 'db.sqlite'),
        PAYMENTSERVER_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        PAYMENTSERVER_DEV_IDP_PORT: String(idpPort),
      });
      expect(await server.exited).toBe(1);
      const lines = server.output().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('PAYMENTSERVER_OIDC_ISSUER');
      await expect(
        fetch(`http://127.0.0.1:${idpPort}/.well-known/openid-configuration`),
      ).rejects.toThrow();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
