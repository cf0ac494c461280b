import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { OidcKeyResolver } from './oidc-key.resolver';

describe('OIDC key resolver', () => {
  const issuer = 'https://issuer.example';
  const newJwk = (kid: string) => ({
    ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }),
    kid,
    use: 'sig',
  });
  let published: object[];
  let jwksAnswer: () => Promise<Response>;
  const jwksFetches = () =>
    jest.mocked(fetch).mock.calls.filter(([url]) => String(url).endsWith('/jwks')).length;
  const resolver = (cooldownSeconds = 30) =>
    new OidcKeyResolver({
      security: { oidcIssuer: issuer, oidc: { jwksCooldownSeconds: cooldownSeconds } },
    } as never);

  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    published = [newJwk('k1')];
    jwksAnswer = async () => new Response(JSON.stringify({ keys: published }), { status: 200 });
    jest.spyOn(global, 'fetch').mockImplementation(async (url) => {
      if (String(url).endsWith('/jwks')) return jwksAnswer();
      return new Response(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }), { status: 200 });
    });
  });

  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('lets requests that arrive during the first key fetch wait for it instead of failing', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    jwksAnswer = async () => {
      await gate; // a slow JWKS answer
      return new Response(JSON.stringify({ keys: published }), { status: 200 });
    };
    const keys = resolver();
    const lookups = Array.from({ length: 5 }, () => keys.publicKey('k1'));
    release();
    const pems = await Promise.all(lookups);
    expect(pems.every((pem) => createPublicKey(pem).asymmetricKeyType === 'ec')).toBe(true);
    expect(jwksFetches()).toBe(1);
  });

  it('refetches for an unknown kid at most once per cooldown, and then finds a rotated key', async () => {
    const keys = resolver(30);
    await keys.publicKey('k1');
    expect(jwksFetches()).toBe(1);
    // The provider rotates: the first token with the new kid refetches at once.
    published = [...published, newJwk('k2')];
    await expect(keys.publicKey('k2')).resolves.toContain('BEGIN PUBLIC KEY');
    expect(jwksFetches()).toBe(2);
    // Made-up kids within the cooldown cost no fetch.
    for (const kid of ['x1', 'x2', 'x3']) {
      await expect(keys.publicKey(kid)).rejects.toThrow(`no key ${kid} at the issuer`);
    }
    expect(jwksFetches()).toBe(2);
    jest.advanceTimersByTime(30_000);
    await expect(keys.publicKey('x4')).rejects.toThrow('no key x4 at the issuer');
    expect(jwksFetches()).toBe(3);
    // Known keys keep working meanwhile.
    await expect(keys.publicKey('k1')).resolves.toContain('BEGIN PUBLIC KEY');
  });

  it('answers a kid not looked up before from the keys held, even while unknown kids are refused', async () => {
    published = [newJwk('k1'), newJwk('k2')];
    const keys = resolver(30);
    await keys.publicKey('k1');
    await expect(keys.publicKey('made-up')).rejects.toThrow(); // the one refresh
    await expect(keys.publicKey('made-up-2')).rejects.toThrow(); // within the cooldown
    expect(jwksFetches()).toBe(2);
    // A cache miss in jwks-rsa, served without a fetch and without being refused.
    await expect(keys.publicKey('k2')).resolves.toContain('BEGIN PUBLIC KEY');
    expect(jwksFetches()).toBe(2);
  });

  it('accepts a token without kid only when the issuer has exactly one key', async () => {
    await expect(resolver().publicKey(undefined)).resolves.toContain('BEGIN PUBLIC KEY');
    published = [...published, newJwk('k2')];
    await expect(resolver().publicKey(undefined)).rejects.toThrow('token has no kid');
  });

  it('ignores encryption keys', async () => {
    published = [{ ...newJwk('enc1'), use: 'enc' }];
    await expect(resolver().publicKey('enc1')).rejects.toThrow();
  });

  it('does not retry an unreachable JWKS per request: at most once per cooldown', async () => {
    jwksAnswer = async () => new Response('down', { status: 503 });
    const keys = resolver(30);
    for (let i = 0; i < 5; i++) {
      await expect(keys.publicKey('k1')).rejects.toThrow("the issuer's keys are unavailable");
    }
    expect(jwksFetches()).toBe(2); // the first lookup, and one refresh it was allowed
    jwksAnswer = async () => new Response(JSON.stringify({ keys: published }), { status: 200 });
    jest.advanceTimersByTime(30_000);
    await expect(keys.publicKey('k1')).resolves.toContain('BEGIN PUBLIC KEY');
  });
});
