import { Inject, Injectable, Logger } from '@nestjs/common';
import { JwksClient, SigningKeyNotFoundError } from 'jwks-rsa';
import { APP_CONFIG, AppConfig } from '../../config/app.config';

interface DiscoveryDocument {
  issuer?: unknown;
  jwks_uri?: unknown;
}

interface JwksDocument {
  keys: unknown[];
}

const MAX_DOCUMENT_BYTES = 256 * 1024;
/** Keys are refetched after this long even when every kid is known (quiet rotations). */
const MAX_KEY_AGE_MS = 10 * 60 * 1000;

async function fetchJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000), redirect: 'error' });
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
  const text = await response.text();
  if (text.length > MAX_DOCUMENT_BYTES) {
    throw new Error(`${url} answered more than ${MAX_DOCUMENT_BYTES} bytes`);
  }
  return JSON.parse(text);
}

/**
 * Finds the issuer's signing keys with jwks-rsa: it reads the JWKS (signing keys only), turns
 * them into PEM and caches each by `kid`; without a `kid` a token is accepted only when the
 * issuer has exactly one key. What jwks-rsa does not do is ours:
 *
 * - The JWKS location comes from the configured issuer's discovery document, never from a
 *   token header (`jku`, `x5u`, `jwk`).
 * - A `kid` missing from the keys we hold refetches them (the provider may have rotated), at
 *   most once per cooldown, so that tokens with made-up key ids cannot make the server hammer
 *   the provider. jwks-rsa's own `rateLimit` is not used: it counts every cache miss, so such
 *   tokens would use up the allowance and then refuse valid tokens whose cached key expired.
 *   Here those are answered from the keys already held.
 */
@Injectable()
export class OidcKeyResolver {
  private readonly logger = new Logger('Oidc');
  private readonly client: JwksClient;
  private jwksUri?: Promise<string>;
  /** The keys held (or being fetched), reused until they age or a new kid asks for fresh ones. */
  private document?: { fetchedAt: number; keys: Promise<JwksDocument> };
  private lastUnknownKidRefresh = Number.NEGATIVE_INFINITY;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.client = new JwksClient({
      fetcher: () => this.keys(),
      cache: true,
      cacheMaxAge: MAX_KEY_AGE_MS,
      cacheMaxEntries: 20,
      rateLimit: false,
    });
  }

  /** The PEM public key for `kid`; throws when the issuer has none by that id. */
  async publicKey(kid: string | undefined): Promise<string> {
    try {
      return (await this.client.getSigningKey(kid)).getPublicKey();
    } catch (error) {
      const cooldownMs = this.config.security.oidc.jwksCooldownSeconds * 1000;
      if (Date.now() - this.lastUnknownKidRefresh < cooldownMs) throw this.notFound(kid, error);
      this.lastUnknownKidRefresh = Date.now();
      this.document = undefined;
      try {
        return (await this.client.getSigningKey(kid)).getPublicKey();
      } catch (retryError) {
        throw this.notFound(kid, retryError);
      }
    }
  }

  private notFound(kid: string | undefined, error: unknown): Error {
    if (error instanceof SigningKeyNotFoundError) {
      return new Error(kid ? `no key ${kid} at the issuer` : 'token has no kid');
    }
    return new Error(`the issuer's keys are unavailable: ${(error as Error).message}`);
  }

  /** jwks-rsa's fetcher: the held keys, or one fetch shared by every caller while it runs. */
  private keys(): Promise<JwksDocument> {
    if (this.document && Date.now() - this.document.fetchedAt < MAX_KEY_AGE_MS) {
      return this.document.keys;
    }
    // Counted as a fetch even when it fails: an unreachable provider is not retried per request.
    const keys = this.load();
    this.document = { fetchedAt: Date.now(), keys };
    return keys;
  }

  private async load(): Promise<JwksDocument> {
    try {
      const jwks = (await fetchJson(await this.discover())) as { keys?: unknown };
      return { keys: Array.isArray(jwks?.keys) ? jwks.keys : [] };
    } catch (error) {
      this.logger.warn({
        msg: 'fetching the OIDC signing keys failed',
        error: error instanceof Error ? error.message : String(error),
      });
      throw error;
    }
  }

  private discover(): Promise<string> {
    this.jwksUri ??= this.readDiscovery().catch((error: unknown) => {
      this.jwksUri = undefined;
      throw error;
    });
    return this.jwksUri;
  }

  private async readDiscovery(): Promise<string> {
    const issuer = this.config.security.oidcIssuer;
    if (!issuer) throw new Error('no OIDC issuer configured');
    const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const document = (await fetchJson(url)) as DiscoveryDocument;
    // OpenID Connect Discovery 1.0 §4.3: the document's issuer must be exactly ours.
    if (document.issuer !== issuer) {
      throw new Error(`discovery document at ${url} names issuer ${String(document.issuer)}`);
    }
    if (typeof document.jwks_uri !== 'string') {
      throw new Error(`discovery document at ${url} has no jwks_uri`);
    }
    return document.jwks_uri;
  }
}
