import type { ConnectorDescription } from '../connector/credential-schema';
import { createHash } from 'node:crypto';
import type { ConnectorSpec } from '../connector/connector-client';
import type { HttpResponse } from '../provider-http.client';
import type { ProviderCallContext } from '../provider.interface';
import { paypalError } from './paypal.mapper';
import type { PayPalToken } from './paypal.types';

const SANDBOX_URL = 'https://api-m.sandbox.paypal.com';
const LIVE_URL = 'https://api-m.paypal.com';
/** Renew a cached token this long before PayPal says it expires. */
const TOKEN_MARGIN_MS = 60_000;

type TokenEntry = { token: string; expiresAt: number };

export function paypalBaseUrl(ctx: ProviderCallContext): string {
  return ctx.account.baseUrl ?? (ctx.account.testMode ? SANDBOX_URL : LIVE_URL);
}

/** The OAuth2 client-credentials call itself (also test-connection's probe). */
export function requestPayPalToken(ctx: ProviderCallContext): Promise<HttpResponse> {
  const { clientId, clientSecret } = ctx.account.credentials;
  return ctx.http.request({
    method: 'POST',
    url: `${paypalBaseUrl(ctx)}/v1/oauth2/token`,
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: 'grant_type=client_credentials',
  });
}

/** Access tokens per (base URL, client id, secret): a cache, not configuration. */
export class PayPalTokens {
  private readonly tokens = new Map<string, TokenEntry | Promise<TokenEntry>>();

  async get(ctx: ProviderCallContext, renew = false): Promise<string> {
    const { clientId, clientSecret } = ctx.account.credentials;
    const key = createHash('sha256')
      .update(`${paypalBaseUrl(ctx)}\n${clientId}\n${clientSecret}`)
      .digest('hex');
    const cached = this.tokens.get(key);
    if (!renew && cached) {
      const entry = await cached;
      if (entry.expiresAt > Date.now()) return entry.token;
    }
    // One request per account at a time; concurrent callers share it.
    const pending = this.fetch(ctx);
    this.tokens.set(key, pending);
    try {
      const entry = await pending;
      this.tokens.set(key, entry);
      return entry.token;
    } catch (error) {
      this.tokens.delete(key);
      throw error;
    }
  }

  private async fetch(ctx: ProviderCallContext): Promise<TokenEntry> {
    const response = await requestPayPalToken(ctx);
    if (response.status !== 200) throw paypalError(response);
    const token = response.json<PayPalToken>();
    return {
      token: token.access_token,
      expiresAt: Date.now() + token.expires_in * 1000 - TOKEN_MARGIN_MS,
    };
  }
}

/** PayPal's transport: sandbox or live host, a cached OAuth2 Bearer token renewed once on a 401. */
export function paypalConnector(tokens: PayPalTokens): ConnectorSpec {
  return {
    baseUrl: paypalBaseUrl,
    authHeaders: async (ctx, renew) => ({
      authorization: `Bearer ${await tokens.get(ctx, renew)}`,
    }),
    headers: (request) => ({
      accept: 'application/json',
      ...(request.method === 'POST' ? { prefer: 'return=representation' } : {}),
    }),
    idempotencyHeader: 'paypal-request-id',
    // Some answers (a void, a 204) have no body.
    readSuccess: (response) => (response.text ? response.json() : undefined),
    parseError: paypalError,
    renewOnUnauthorized: true,
  };
}

/** PayPal's credentials (CONTRACT.md). */
export const PAYPAL_DESCRIPTION: ConnectorDescription = {
  label: 'PayPal',
  help: 'PayPal developer dashboard → Apps & Credentials (client id and secret) and the id of the webhook you register there.',
  credentials: [
    { name: 'clientId', label: 'Client id', secret: false, required: true },
    { name: 'clientSecret', label: 'Client secret', secret: true, required: true },
    {
      name: 'webhookId',
      label: 'Webhook id',
      secret: false,
      required: true,
      pattern: '^[a-zA-Z0-9]+$',
      message: 'must be the webhook ID shown by PayPal (letters and digits)',
    },
  ],
};
