import { modeByKeyPrefix, type ConnectorDescription } from '../connector/credential-schema';
import type { ConnectorSpec } from '../connector/connector-client';
import { mollieError } from './mollie.mapper';

export const MOLLIE_API_BASE_URL = 'https://api.mollie.com';

/** Mollie's transport: one base URL for test and live (the key decides), a Bearer API key. */
export const MOLLIE_CONNECTOR: ConnectorSpec = {
  baseUrl: (ctx) => ctx.account.baseUrl ?? MOLLIE_API_BASE_URL,
  authHeaders: (ctx) => ({ authorization: `Bearer ${ctx.account.credentials.apiKey}` }),
  headers: () => ({ accept: 'application/hal+json' }),
  parseError: mollieError,
};

/** Mollie's credentials (CONTRACT.md), from which validation, Swagger and the dashboard form come. */
export const MOLLIE_DESCRIPTION: ConnectorDescription = {
  label: 'Mollie',
  help: 'Mollie dashboard → Developers → API keys. A test_ key uses Mollie test mode.',
  credentials: [
    {
      name: 'apiKey',
      label: 'API key',
      secret: true,
      required: true,
      pattern: '^(test|live)_[A-Za-z0-9]{10,}$',
      message: 'must be a Mollie API key starting with test_ or live_',
      requiredMessage: 'must be a Mollie API key starting with test_ or live_',
      placeholder: 'test_… or live_…',
    },
  ],
  testModeOf: (c) => modeByKeyPrefix(c.apiKey, { test: ['test_'], live: ['live_'] }),
};
