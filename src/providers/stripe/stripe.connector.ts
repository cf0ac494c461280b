import { modeByKeyPrefix, type ConnectorDescription } from '../connector/credential-schema';
import Stripe from 'stripe';
import type { ConnectorSpec } from '../connector/connector-client';
import { stripeError, toStripeForm } from './stripe.mapper';

export const STRIPE_API_BASE_URL = 'https://api.stripe.com';

/** Stripe's transport: one host (the key decides test or live), a Bearer secret key, form bodies. */
export const STRIPE_CONNECTOR: ConnectorSpec = {
  baseUrl: (ctx) => ctx.account.baseUrl ?? STRIPE_API_BASE_URL,
  authHeaders: (ctx) => ({ authorization: `Bearer ${ctx.account.credentials.secretKey}` }),
  // The API version the installed `stripe` package is written against, as the SDK sends it.
  headers: () => ({ 'stripe-version': Stripe.API_VERSION }),
  encodeBody: (body) => ({
    contentType: 'application/x-www-form-urlencoded',
    body: toStripeForm(body as Parameters<typeof toStripeForm>[0]),
  }),
  parseError: stripeError,
};

/** Stripe's credentials (CONTRACT.md). */
export const STRIPE_DESCRIPTION: ConnectorDescription = {
  label: 'Stripe',
  help: 'Stripe dashboard → Developers → API keys (secret key) and → Webhooks (signing secret of the endpoint).',
  credentials: [
    {
      name: 'secretKey',
      label: 'Secret key',
      secret: true,
      required: true,
      pattern: '^(sk|rk)_(test|live)_[A-Za-z0-9]{8,}$',
      message: 'must be a Stripe secret key (sk_test_…, sk_live_… or a restricted rk_… key)',
      requiredMessage:
        'must be a Stripe secret key (sk_test_…, sk_live_… or a restricted rk_… key)',
      placeholder: 'sk_test_… or sk_live_…',
    },
    {
      name: 'webhookSecret',
      label: 'Webhook signing secret',
      secret: true,
      required: true,
      pattern: '^whsec_[A-Za-z0-9+/=]{8,}$',
      message: "must be the webhook endpoint's signing secret (whsec_…)",
      requiredMessage: "must be the webhook endpoint's signing secret (whsec_…)",
      placeholder: 'whsec_…',
    },
  ],
  testModeOf: (c) =>
    modeByKeyPrefix(c.secretKey, {
      test: ['sk_test_', 'rk_test_'],
      live: ['sk_live_', 'rk_live_'],
    }),
};
