import type { ConnectorDescription } from '../connector/credential-schema';
import { parseJsonOr, type ConnectorSpec } from '../connector/connector-client';
import { multisafepayError } from './multisafepay.mapper';
import type { MultiSafepayEnvelope } from './multisafepay.types';

export const MULTISAFEPAY_LIVE_URL = 'https://api.multisafepay.com';
export const MULTISAFEPAY_TEST_URL = 'https://testapi.multisafepay.com';

/** MultiSafepay's transport: test or live host, the `api_key` header, a `success` envelope. */
export const MULTISAFEPAY_CONNECTOR: ConnectorSpec = {
  baseUrl: (ctx) =>
    `${ctx.account.baseUrl ?? (ctx.account.testMode ? MULTISAFEPAY_TEST_URL : MULTISAFEPAY_LIVE_URL)}/v1/json`,
  authHeaders: (ctx) => ({ api_key: ctx.account.credentials.apiKey }),
  headers: () => ({ accept: 'application/json' }),
  // A 2xx without `success: true` is an error all the same.
  readSuccess: (response) => {
    const envelope = parseJsonOr<MultiSafepayEnvelope<unknown>>(response.text);
    if (envelope.success) return envelope.data;
    throw multisafepayError(response);
  },
  parseError: multisafepayError,
};

/** MultiSafepay's credentials (CONTRACT.md). */
export const MULTISAFEPAY_DESCRIPTION: ConnectorDescription = {
  label: 'MultiSafepay',
  help: 'MultiSafepay dashboard → Manage → Settings → Website settings → API key.',
  credentials: [
    {
      name: 'apiKey',
      label: 'API key',
      secret: true,
      required: true,
      pattern: '^[A-Za-z0-9]{20,64}$',
      message: "must be the website's MultiSafepay API key (20 to 64 letters and digits)",
      requiredMessage: "must be the website's MultiSafepay API key (20 to 64 letters and digits)",
    },
  ],
};
