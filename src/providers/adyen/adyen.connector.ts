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
