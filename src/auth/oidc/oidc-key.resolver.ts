import { Inject, Injectable, Logger } from '@nestjs/common';
import { createPublicKey, KeyObject } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../../config/app.config';

interface DiscoveryDocument {
  issuer?: unknown;
  jwks_uri?: unknown;
}

interface Jwk {
  kty?: string;
  kid?: string;
  use?: string;
  [field: string]: unknown;
}

const MAX_DOCUMENT_BYTES = 256 * 1024;
/** Keys are refetched after this long even when every kid is known (quiet rotations). */
const MAX_KEY_AGE_MS = 10 * 60 * 1000;

async function fetchJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000), redirect: 'error' });
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
  const text = await response.text();
  if (text.length > MAX_DOCUMENT_BYTES)
    throw new Error(`${url} answered more than ${MAX_DOCUMENT_BYTES} bytes`);
  return JSON.parse(text);
}

/**
 * Finds the issuer's signing keys: the discovery document names the JWKS, whose keys are cached.
 * A token with an unknown `kid` refetches the JWKS (the provider may have rotated), and such
 * refetches happen at most once per cooldown, so that tokens with made-up key ids cannot make the server hammer the provider.
 * Keys come only from the configured issuer's `jwks_uri`, never from a token header (`jku`,
 * `x5u`, `jwk`).
 *
 * (jwks-rsa 4 would do this, but it needs the ESM-only jose 6, which jest cannot load.)
 */
@Injectable()
export class OidcKeyResolver {
  private readonly logger = new Logger('Oidc');
  private jwksUri?: Promise<string>;
  private keys = new Map<string, KeyObject>();
  private fetchedAt = 0;
  private lastUnknownKidRefresh = Number.NEGATIVE_INFINITY;
  private refreshing?: Promise<void>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** The public key for `kid`; throws when the issuer has none by that id. */
  async publicKey(kid: string | undefined): Promise<KeyObject> {
    // Requests that arrive while the keys are being fetched wait for them instead of failing.
    if (this.refreshing) await this.refreshing;
    if (Date.now() - this.fetchedAt > MAX_KEY_AGE_MS) await this.refresh();
    let key = this.find(kid);
    if (
      !key &&
      Date.now() - this.lastUnknownKidRefresh >=
        this.config.security.oidc.jwksCooldownSeconds * 1000
    ) {
      this.lastUnknownKidRefresh = Date.now();
      await this.refresh();
      key = this.find(kid);
    }
    if (!key) throw new Error(kid ? `no key ${kid} at the issuer` : 'token has no kid');
    return key;
  }

  private find(kid: string | undefined): KeyObject | undefined {
    if (kid !== undefined) return this.keys.get(kid);
    // Without a kid a token is only unambiguous when the issuer has exactly one key.
    return this.keys.size === 1 ? [...this.keys.values()][0] : undefined;
  }

  private refresh(): Promise<void> {
    this.refreshing ??= this.load().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async load(): Promise<void> {
    // Counted as a fetch even when it fails: an unreachable provider is not retried per request.
    this.fetchedAt = Date.now();
    try {
      const jwks = (await fetchJson(await this.discover())) as { keys?: Jwk[] };
      const keys = new Map<string, KeyObject>();
      for (const jwk of Array.isArray(jwks.keys) ? jwks.keys : []) {
        if (jwk.use === 'enc' || (jwk.kty !== 'RSA' && jwk.kty !== 'EC')) continue;
        try {
          keys.set(jwk.kid ?? '', createPublicKey({ key: jwk as any, format: 'jwk' }));
        } catch {
          /* a key we cannot read cannot have signed anything we accept */
        }
      }
      this.keys = keys;
    } catch (error) {
      this.logger.warn({
        msg: 'fetching the OIDC signing keys failed',
        error: error instanceof Error ? error.message : String(error),
      });
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
    if (document.issuer !== issuer)
      throw new Error(`discovery document at ${url} names issuer ${String(document.issuer)}`);
    if (typeof document.jwks_uri !== 'string')
      throw new Error(`discovery document at ${url} has no jwks_uri`);
    return document.jwks_uri;
  }
}
