import type { ProviderInfo } from '../features/providers/provider-catalog';

const features = {
  manualCapture: true,
  partialCapture: true,
  cancel: true,
  refunds: true,
  partialRefunds: true,
  multipleRefunds: true,
};
const capabilities = {
  currencies: ['EUR'],
  defaults: features,
  methods: [{ method: 'card' as const, currencies: ['EUR'], ...features }],
  minimumAmounts: {},
  polling: true,
};

/** A mocked answer of GET /api/v1/admin/providers, as the server declares these connectors. */
export const CATALOG: ProviderInfo[] = [
  {
    name: 'adyen',
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
        message: 'must be hexadecimal',
      },
      {
        name: 'liveUrlPrefix',
        label: 'Live URL prefix',
        secret: false,
        required: false,
        pattern: '^[a-zA-Z0-9-]+$',
        description:
          'Live only: the prefix of your live endpoints, e.g. 1797a841fbb37ca7-AdyenDemo',
      },
    ],
    capabilities,
  },
  {
    name: 'mollie',
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
        placeholder: 'test_… or live_…',
      },
    ],
    capabilities,
  },
  {
    name: 'paypal',
    label: 'PayPal',
    help: 'PayPal developer dashboard → Apps & Credentials (client id and secret) and the id of the webhook you register there.',
    credentials: [
      { name: 'clientId', label: 'Client id', secret: false, required: true },
      { name: 'clientSecret', label: 'Client secret', secret: true, required: true },
      { name: 'webhookId', label: 'Webhook id', secret: false, required: true },
    ],
    capabilities,
  },
  {
    name: 'stripe',
    label: 'Stripe',
    help: 'Stripe dashboard → Developers → API keys (secret key) and → Webhooks (signing secret of the endpoint).',
    credentials: [
      { name: 'secretKey', label: 'Secret key', secret: true, required: true },
      { name: 'webhookSecret', label: 'Webhook signing secret', secret: true, required: true },
    ],
    capabilities,
  },
  {
    name: 'test',
    label: 'Test provider',
    help: 'Built in, for development: no credentials. Its checkout page has one button per outcome.',
    credentials: [],
    capabilities,
  },
];

export function catalogEntry(name: string): ProviderInfo {
  return CATALOG.find((p) => p.name === name)!;
}
