import { generateKeyPairSync } from 'node:crypto';
import { OidcKeyResolver } from './oidc-key.resolver';

describe('OIDC key resolver', () => {
  const issuer = 'https://issuer.example';
  const jwk = {
    ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }),
    kid: 'k1',
    use: 'sig',
  };
  let release: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));

  beforeAll(() => {
    jest.spyOn(global, 'fetch').mockImplementation(async (url) => {
      const body = String(url).endsWith('/.well-known/openid-configuration')
        ? { issuer, jwks_uri: `${issuer}/jwks` }
        : { keys: [jwk] };
      if (String(url).endsWith('/jwks')) await gate; // a slow JWKS answer
      return new Response(JSON.stringify(body), { status: 200 });
    });
  });

  afterAll(() => jest.restoreAllMocks());

  it('lets requests that arrive during the first key fetch wait for it instead of failing', async () => {
    const resolver = new OidcKeyResolver({
      security: { oidcIssuer: issuer, oidc: { jwksCooldownSeconds: 30 } },
    } as never);
    const lookups = Array.from({ length: 5 }, () => resolver.publicKey('k1'));
    release();
    const keys = await Promise.all(lookups);
    expect(keys.every((k) => k.asymmetricKeyType === 'ec')).toBe(true);
    expect(
      jest.mocked(fetch).mock.calls.filter(([url]) => String(url).endsWith('/jwks')),
    ).toHaveLength(1);
  });
});
