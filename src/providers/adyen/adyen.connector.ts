import type { ConnectorDescription } from '../connector/credential-schema';
import type { ConnectorSpec } from '../connector/connector-client';
import { ProviderError } from '../provider-error';
import { adyenError } from './adyen.mapper';

/** The Checkout API version every path is under. */
export const API_VERSION = 'v71';
const TEST_BASE_URL = 'https://checkout-test.adyen.com';

/** Adyen Checkout's transport: test host or the account's live prefix, the `x-api-key` header. */
export const ADYEN_CONNECTOR: ConnectorSpec = {
  baseUrl: (ctx) => {
    if (ctx.account.baseUrl) return `${ctx.account.baseUrl}/${API_VERSION}`;
    if (ctx.account.testMode) return `${TEST_BASE_URL}/${API_VERSION}`;
    const prefix = ctx.account.credentials.liveUrlPrefix;
    if (!prefix)
      throw new ProviderError(
        'invalid_credentials',
        'Adyen live accounts need credentials.liveUrlPrefix',
      );
    return `https://${prefix}-checkout-live.adyenpayments.com/checkout/${API_VERSION}`;
  },
  authHeaders: (ctx) => ({ 'x-api-key': ctx.account.credentials.apiKey }),
  headers: () => ({ accept: 'application/json' }),
  parseError: adyenError,
};

/** Adyen's credentials (CONTRACT.md). */
export const ADYEN_DESCRIPTION: ConnectorDescription = {
  label: 'Adyen',
  help: 'Customer Area → Developers → API credentials (API key), the merchant account name, and the HMAC key of the webhook.',
  credentials: [
    { name: 'apiKey', label: 'API key', secret: true, required: true },
    {
      name: 'merchantAccount',
      label: 'Merchant account',
      secret: false,
      required: true,
      placeholder: 'YourCompanyECOM',
    },
    {
      name: 'hmacKey',
      label: 'Webhook HMAC key (hex)',
      secret: true,
      required: true,
      pattern: '^(?:[0-9a-fA-F]{2})+$',
      message: 'must be the hex HMAC key from the Customer Area',
    },
    {
      name: 'liveUrlPrefix',
      label: 'Live URL prefix',
      secret: false,
      required: false,
      pattern: '^[a-zA-Z0-9-]+$',
      message: 'must be the live endpoint prefix (letters, digits, dashes)',
      description: 'Live only: the prefix of your live endpoints, e.g. 1797a841fbb37ca7-AdyenDemo',
    },
  ],
};
