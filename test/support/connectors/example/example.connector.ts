import type { ConnectorDescription } from '../../../../src/providers/connector/credential-schema';
import type { ConnectorSpec } from '../../../../src/providers/connector/connector-client';
import { exampleError } from './example.mapper';

/** Test and live hosts (`.example` never resolves); an account's `baseUrl` replaces them. */
export const EXAMPLE_TEST_URL = 'https://sandbox.psp.example';
export const EXAMPLE_LIVE_URL = 'https://api.psp.example';

/** The example PSP's transport: a base URL per mode and an `X-Api-Key` header. */
export const EXAMPLE_CONNECTOR: ConnectorSpec = {
  baseUrl: (ctx) =>
    ctx.account.baseUrl ?? (ctx.account.testMode ? EXAMPLE_TEST_URL : EXAMPLE_LIVE_URL),
  authHeaders: (ctx) => ({ 'x-api-key': ctx.account.credentials.apiKey }),
  headers: () => ({ accept: 'application/json' }),
  parseError: exampleError,
};

/** Validation, Swagger and the dashboard's account form come from this declaration. */
export const EXAMPLE_DESCRIPTION: ConnectorDescription = {
  label: 'Example PSP',
  help: 'The example connector of docs/connectors.md ("Adding a connector"); tests only.',
  credentials: [
    {
      name: 'apiKey',
      label: 'API key',
      secret: true,
      required: true,
      pattern: '^ex_(test|live)_[A-Za-z0-9]{16,}$',
      message: 'must be an example API key starting with ex_test_ or ex_live_',
      placeholder: 'ex_test_…',
    },
    {
      name: 'merchantId',
      label: 'Merchant ID',
      secret: false,
      required: true,
      pattern: '^M[0-9]{4,10}$',
      message: 'must be M followed by 4 to 10 digits',
    },
    {
      name: 'webhookSecret',
      label: 'Webhook signing secret',
      secret: true,
      required: true,
      description: 'Signs the Example-Signature header of each webhook (HMAC-SHA256).',
    },
  ],
};
