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
