import { createHmac, KeyObject, randomBytes, sign } from 'node:crypto';
import type { TestIdp } from './test-idp';

/** Hand-made JWTs for the negative tests: every way a token must be refused. */

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function jwtClaims(
  idp: TestIdp,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: idp.issuer,
    aud: idp.audience,
    sub: 'forged-client',
    client_id: 'forged-client',
    scope: 'paymentserver:admin',
    iat: now,
    exp: now + 300,
    jti: randomBytes(8).toString('hex'),
    ...overrides,
  };
  for (const [key, value] of Object.entries(claims)) if (value === undefined) delete claims[key];
  return claims;
}

/** RS256 over header.payload with `key` (the provider's own private key for "valid but wrong" tokens). */
export function signRs256(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  key: KeyObject,
): string {
  const input = `${b64url({ alg: 'RS256', typ: 'at+jwt', ...header })}.${b64url(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

export function unsigned(claims: Record<string, unknown>, kid: string): string {
  return `${b64url({ alg: 'none', typ: 'JWT', kid })}.${b64url(claims)}.`;
}

/** The algorithm-confusion attack: HS256 keyed with the provider's public key (PEM text). */
export function hs256WithPublicKey(
  claims: Record<string, unknown>,
  publicKey: KeyObject,
  kid: string,
): string {
  const secret = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const input = `${b64url({ alg: 'HS256', typ: 'JWT', kid })}.${b64url(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** Replaces a token's payload and keeps its signature. */
export function withPayload(
  token: string,
  change: (claims: Record<string, unknown>) => Record<string, unknown>,
): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  return `${header}.${b64url(change(claims))}.${signature}`;
}
