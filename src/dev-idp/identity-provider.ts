import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, JsonWebKey, randomBytes, randomUUID } from 'node:crypto';

/**
 * A small OpenID Connect provider built on `oidc-provider` (OpenID Certified). It backs the
 * bundled development identity provider and the tests; it is never meant for production.
 */

export interface IdpClient {
  clientId: string;
  /** Omitted: a public client (authorization code + PKCE, no secret). */
  clientSecret?: string;
  /** Scopes the client may ask for at the token endpoint. */
  scope: string;
  /** Put into the `roles` claim of this client's client-credentials tokens. */
  roles?: string[];
  redirectUris?: string[];
}

export interface IdentityProviderOptions {
  port: number;
  host?: string;
  /** Default: http://<issuerHost>:<port> */
  issuer?: string;
  /** Default: localhost */
  issuerHost?: string;
  /** `aud` of the access tokens (the resource indicator of PaymentServer). */
  audience: string;
  /** Scopes PaymentServer understands; tokens carry only these. */
  resourceScopes: string[];
  /** Private JWKs; the first signs, all are published (rotation). */
  keys: JsonWebKey[];
  clients: IdpClient[];
  /** Roles of every user who signs in through the development login page. */
  userRoles?: string[];
  /**
   * Login names that get these roles instead, and at most these resource scopes whatever the
   * client asks for (the development provider's `viewer` user).
   */
  restrictedUsers?: Record<string, { roles: string[]; scopes: string[] }>;
  accessTokenTtlSeconds?: number;
  /** Sees every request first (the tests count JWKS fetches). */
  onRequest?: (req: http.IncomingMessage) => void;
}

export interface RunningIdentityProvider {
  issuer: string;
  port: number;
  /** Replaces the signing keys (rotation); clients and settings stay. */
  setKeys(keys: JsonWebKey[]): void;
  /** Adds or replaces a client. */
  setClient(client: IdpClient): void;
  close(): Promise<void>;
}

/** A new RSA signing key as a private JWK with a random `kid`. */
export function generateSigningKey(): JsonWebKey & { kid: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    ...privateKey.export({ format: 'jwk' }),
    kid: randomUUID(),
    alg: 'RS256',
    use: 'sig',
  } as JsonWebKey & {
    kid: string;
  };
}

// oidc-provider is ESM-only; a native import() (not one TypeScript rewrites to require) loads it.
const importEsm = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<any>;

function signingAlg(key: JsonWebKey): string {
  if (typeof key.alg === 'string') return key.alg;
  if (key.kty === 'EC')
    return key.crv === 'P-384' ? 'ES384' : key.crv === 'P-521' ? 'ES512' : 'ES256';
  return 'RS256';
}

export async function startIdentityProvider(
  options: IdentityProviderOptions,
): Promise<RunningIdentityProvider> {
  const { default: Provider, errors } = await importEsm('oidc-provider');
  const host = options.host ?? '127.0.0.1';
  let handler: http.RequestListener = (_req, res) => {
    res.writeHead(503).end();
  };
  const server = http.createServer((req, res) => {
    options.onRequest?.(req);
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = options.issuer ?? `http://${options.issuerHost ?? 'localhost'}:${port}`;
  const cookieKeys = [randomBytes(32).toString('base64url')];
  const clients = new Map(options.clients.map((client) => [client.clientId, client]));
  const restrictedUser = (accountId: unknown) =>
    typeof accountId === 'string' && options.restrictedUsers
      ? Object.hasOwn(options.restrictedUsers, accountId)
        ? options.restrictedUsers[accountId]
        : undefined
      : undefined;
  let keys = options.keys;

  const build = () => {
    const provider = new Provider(issuer, {
      clients: [...clients.values()].map((client) =>
        client.clientSecret
          ? {
              client_id: client.clientId,
              client_secret: client.clientSecret,
              grant_types: ['client_credentials'],
              response_types: [],
              redirect_uris: [],
              scope: client.scope,
            }
          : {
              client_id: client.clientId,
              token_endpoint_auth_method: 'none',
              grant_types: ['authorization_code', 'refresh_token'],
              response_types: ['code'],
              redirect_uris: client.redirectUris ?? [],
              scope: `openid profile offline_access ${client.scope}`,
            },
      ),
      jwks: { keys },
      cookies: { keys: cookieKeys },
      scopes: ['openid', 'profile', 'offline_access', ...options.resourceScopes],
      responseTypes: ['code'],
      claims: { openid: ['sub'], profile: ['name'] },
      pkce: { required: () => true },
      ttl: {
        ClientCredentials: options.accessTokenTtlSeconds ?? 600,
        AccessToken: options.accessTokenTtlSeconds ?? 600,
      },
      discovery: { 'x-paymentserver-note': 'development identity provider: not for production' },
      findAccount: async (_ctx: unknown, sub: string) => ({
        accountId: sub,
        claims: async () => ({ sub, name: sub }),
      }),
      extraTokenClaims: async (_ctx: unknown, token: any) => {
        if (token.kind === 'ClientCredentials') {
          const roles = clients.get(token.clientId)?.roles;
          return roles?.length ? { roles } : undefined;
        }
        const roles = restrictedUser(token.accountId)?.roles ?? options.userRoles;
        return roles?.length ? { roles } : undefined;
      },
      features: {
        devInteractions: { enabled: true },
        clientCredentials: { enabled: true },
        revocation: { enabled: true },
        resourceIndicators: {
          enabled: true,
          // Tokens are always for PaymentServer, so clients need not send `resource`.
          defaultResource: () => options.audience,
          useGrantedResource: () => true,
          getResourceServerInfo: (ctx: any, indicator: string) => {
            if (indicator !== options.audience) throw new errors.InvalidTarget();
            const user = restrictedUser(
              ctx.oidc?.entities?.AuthorizationCode?.accountId ??
                ctx.oidc?.entities?.RefreshToken?.accountId ??
                ctx.oidc?.session?.accountId,
            );
            return {
              scope: options.resourceScopes
                .filter((scope) => !user || user.scopes.includes(scope))
                .join(' '),
              audience: options.audience,
              accessTokenFormat: 'jwt',
              jwt: { sign: { alg: signingAlg(keys[0]) } },
            };
          },
        },
      },
    });
    // Behind nothing: trust no proxy headers.
    provider.proxy = false;
    handler = provider.callback();
  };
  build();

  return {
    issuer,
    port,
    setKeys(next) {
      keys = next;
      build();
    },
    setClient(client) {
      clients.set(client.clientId, client);
      build();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
