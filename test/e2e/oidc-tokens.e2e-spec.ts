import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { startTestServer, TestServer } from '../support/test-server';
import { PAYMENTS_SCOPE, startTestIdp, TestIdp } from '../support/test-idp';
import {
  hs256WithPublicKey,
  jwtClaims,
  signRs256,
  unsigned,
  withPayload,
} from '../support/forged-tokens';
import { generateSigningKey } from '../../src/dev-idp/identity-provider';

/** A server that counts every request: the tests check that the server never fetches from it. */
async function countingServer(
  body: unknown,
): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('OIDC access token validation against a real oidc-provider', () => {
  let server: TestServer;
  let idp: TestIdp;
  const marker = `forged-${randomBytes(4).toString('hex')}`;

  /** Every refused token tries to create an integration; none may appear. */
  const attempt = (token: string) =>
    server.request('POST', '/api/v1/admin/integrations', { token, body: { name: marker } });

  beforeAll(async () => {
    server = await startTestServer();
    idp = server.idp;
  });

  afterAll(async () => {
    await server?.close();
  });

  it('accepts a valid admin token from the provider', async () => {
    const response = await server.request('GET', '/api/v1/admin/integrations', {
      token: await server.adminToken(),
    });
    expect(response.status).toBe(200);
  });

  it('accepts a hand-signed token with the provider key and correct claims (so the refusals below are about one flaw each)', async () => {
    const token = signRs256({ kid: idp.signingKey.kid }, jwtClaims(idp), idp.signingKey.privateKey);
    const response = await server.request('GET', '/api/v1/admin/integrations', { token });
    expect(response.status).toBe(200);
  });

  const now = () => Math.floor(Date.now() / 1000);
  const cases: [string, () => string, string][] = [
    ['alg none', () => unsigned(jwtClaims(idp), idp.signingKey.kid), 'algorithm not allowed'],
    [
      'HS256 signed with the provider public key',
      () => hs256WithPublicKey(jwtClaims(idp), idp.signingKey.publicKey, idp.signingKey.kid),
      'algorithm not allowed',
    ],
    [
      'a wrong iss',
      () =>
        signRs256(
          { kid: idp.signingKey.kid },
          jwtClaims(idp, { iss: `${idp.issuer}/other` }),
          idp.signingKey.privateKey,
        ),
      'issuer invalid',
    ],
    [
      'an iss differing only by a trailing slash',
      () =>
        signRs256(
          { kid: idp.signingKey.kid },
          jwtClaims(idp, { iss: `${idp.issuer}/` }),
          idp.signingKey.privateKey,
        ),
      'issuer invalid',
    ],
    [
      'a wrong aud',
      () =>
        signRs256(
          { kid: idp.signingKey.kid },
          jwtClaims(idp, { aud: 'urn:someone-else' }),
          idp.signingKey.privateKey,
        ),
      'audience invalid',
    ],
    [
      'no aud',
      () =>
        signRs256(
          { kid: idp.signingKey.kid },
          jwtClaims(idp, { aud: undefined }),
          idp.signingKey.privateKey,
        ),
      'audience invalid',
    ],
    [
      'an expired token',
      () =>
        signRs256(
          { kid: idp.signingKey.kid },
          jwtClaims(idp, { iat: now() - 7200, exp: now() - 3600 }),
          idp.signingKey.privateKey,
        ),
      'jwt expired',
    ],
    [
      'a future nbf',
      () =>
        signRs256(
          { kid: idp.signingKey.kid },
          jwtClaims(idp, { nbf: now() + 3600 }),
          idp.signingKey.privateKey,
        ),
      'jwt not active',
    ],
    [
      'no exp',
      () =>
        signRs256(
          { kid: idp.signingKey.kid },
          jwtClaims(idp, { exp: undefined }),
          idp.signingKey.privateKey,
        ),
      'no exp',
    ],
    [
      'an unknown kid',
      () => {
        const stranger = generateSigningKey();
        return signRs256(
          { kid: stranger.kid },
          jwtClaims(idp),
          createPrivateKey({ key: stranger, format: 'jwk' }),
        );
      },
      'no matching signing key',
    ],
    [
      'a signature by another key under the provider kid',
      () => {
        const stranger = generateSigningKey();
        return signRs256(
          { kid: idp.signingKey.kid },
          jwtClaims(idp),
          createPrivateKey({ key: stranger, format: 'jwk' }),
        );
      },
      'invalid signature',
    ],
  ];

  it.each(cases)('refuses %s with 401 and changes nothing', async (_name, forge, reason) => {
    const response = await attempt(forge());
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('unauthorized');
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body.detail).toContain(reason);
  });

  it('refuses a provider token whose payload was changed (scope raised to admin) with 401, not 403', async () => {
    const original = await server.adminToken({ scope: PAYMENTS_SCOPE });
    expect(
      (await server.request('GET', '/api/v1/admin/integrations', { token: original })).status,
    ).toBe(403);
    const tampered = withPayload(original, (claims) => ({
      ...claims,
      scope: 'paymentserver:admin',
    }));
    expect((await attempt(tampered)).status).toBe(401);
  });

  it('never follows jku or x5u: a token pointing at an attacker JWKS is 401 and nothing is fetched there', async () => {
    const attacker = generateSigningKey();
    const publicJwk = createPublicKey(createPrivateKey({ key: attacker, format: 'jwk' })).export({
      format: 'jwk',
    });
    const evil = await countingServer({
      keys: [{ ...publicJwk, kid: attacker.kid, alg: 'RS256', use: 'sig' }],
    });
    try {
      const token = signRs256(
        { kid: attacker.kid, jku: `${evil.url}/jwks.json`, x5u: `${evil.url}/cert.pem` },
        jwtClaims(idp),
        createPrivateKey({ key: attacker, format: 'jwk' }),
      );
      expect((await attempt(token)).status).toBe(401);
      // Also with the provider's own kid, so the key lookup itself succeeds.
      const withKnownKid = signRs256(
        { kid: idp.signingKey.kid, jku: `${evil.url}/jwks.json` },
        jwtClaims(idp),
        createPrivateKey({ key: attacker, format: 'jwk' }),
      );
      expect((await attempt(withKnownKid)).status).toBe(401);
      expect(evil.hits()).toBe(0);
    } finally {
      await evil.close();
    }
  });

  it('refetches the JWKS for unknown kids at most once per cooldown', async () => {
    const before = (await idp.hits())['/jwks'] ?? 0;
    for (let i = 0; i < 5; i++) {
      const stranger = generateSigningKey();
      const token = signRs256(
        { kid: stranger.kid },
        jwtClaims(idp),
        createPrivateKey({ key: stranger, format: 'jwk' }),
      );
      expect((await attempt(token)).status).toBe(401);
    }
    const after = (await idp.hits())['/jwks'] ?? 0;
    expect(after - before).toBeLessThanOrEqual(1);
  });

  it('created nothing with any refused token', async () => {
    const list = await server.request('GET', '/api/v1/admin/integrations?limit=100', {
      token: await server.adminToken(),
    });
    expect(list.status).toBe(200);
    expect(list.body.data.filter((i: { name: string }) => i.name === marker)).toEqual([]);
  });
});

describe('signing key rotation at the provider', () => {
  let idp: TestIdp;
  let server: TestServer;

  beforeAll(async () => {
    idp = await startTestIdp();
    server = await startTestServer({ idp });
  });

  afterAll(async () => {
    await server?.close();
    await idp?.stop();
  });

  it("accepts the new key's tokens after a rotation, and the old key's while it is still published", async () => {
    const before = await idp.adminToken();
    expect(
      (await server.request('GET', '/api/v1/admin/integrations', { token: before })).status,
    ).toBe(200);
    const oldKid = idp.signingKey.kid;

    const newKey = await idp.rotateKeys();
    expect(newKey.kid).not.toBe(oldKid);
    const after = await idp.adminToken();
    expect(JSON.parse(Buffer.from(after.split('.')[0], 'base64url').toString()).kid).toBe(
      newKey.kid,
    );
    expect(
      (await server.request('GET', '/api/v1/admin/integrations', { token: after })).status,
    ).toBe(200);
    expect(
      (await server.request('GET', '/api/v1/admin/integrations', { token: before })).status,
    ).toBe(200);
  });
});
