/**
 * What the dashboard knows about each provider to draw its forms: the credential fields of
 * CONTRACT.md ("Credentials per provider"; names are fixed) and the settings the server takes.
 * The server validates everything again and answers field errors, shown next to these fields.
 */
export interface CredentialField {
  name: string;
  label: string;
  required: boolean;
  /** Write-only secrets are typed in a password field and never shown again. */
  secret: boolean;
  description?: string;
  placeholder?: string;
}

export interface ProviderInfo {
  name: string;
  label: string;
  credentials: CredentialField[];
  /** Where to get the credentials, in words. */
  help: string;
}

export const PROVIDERS: ProviderInfo[] = [
  {
    name: 'mollie',
    label: 'Mollie',
    help: 'Mollie dashboard → Developers → API keys. A test_ key uses Mollie test mode.',
    credentials: [
      {
        name: 'apiKey',
        label: 'API key',
        required: true,
        secret: true,
        placeholder: 'test_… or live_…',
      },
    ],
  },
  {
    name: 'multisafepay',
    label: 'MultiSafepay',
    help: 'MultiSafepay dashboard → Manage → Settings → Website settings → API key.',
    credentials: [{ name: 'apiKey', label: 'API key', required: true, secret: true }],
  },
  {
    name: 'adyen',
    label: 'Adyen',
    help: 'Customer Area → Developers → API credentials (API key), the merchant account name, and the HMAC key of the webhook.',
    credentials: [
      { name: 'apiKey', label: 'API key', required: true, secret: true },
      {
        name: 'merchantAccount',
        label: 'Merchant account',
        required: true,
        secret: false,
        placeholder: 'YourCompanyECOM',
      },
      { name: 'hmacKey', label: 'Webhook HMAC key (hex)', required: true, secret: true },
      {
        name: 'liveUrlPrefix',
        label: 'Live URL prefix',
        required: false,
        secret: false,
        description:
          'Live only: the prefix of your live endpoints, e.g. 1797a841fbb37ca7-AdyenDemo',
      },
    ],
  },
  {
    name: 'stripe',
    label: 'Stripe',
    help: 'Stripe dashboard → Developers → API keys (secret key) and → Webhooks (signing secret of the endpoint).',
    credentials: [
      {
        name: 'secretKey',
        label: 'Secret key',
        required: true,
        secret: true,
        placeholder: 'sk_test_… or sk_live_…',
      },
      {
        name: 'webhookSecret',
        label: 'Webhook signing secret',
        required: true,
        secret: true,
        placeholder: 'whsec_…',
      },
    ],
  },
  {
    name: 'paypal',
    label: 'PayPal',
    help: 'PayPal developer dashboard → Apps & Credentials (client id and secret) and the id of the webhook you register there.',
    credentials: [
      { name: 'clientId', label: 'Client id', required: true, secret: false },
      { name: 'clientSecret', label: 'Client secret', required: true, secret: true },
      { name: 'webhookId', label: 'Webhook id', required: true, secret: false },
    ],
  },
  {
    name: 'test',
    label: 'Test provider',
    help: 'Built in, for development: no credentials. Its checkout page has one button per outcome.',
    credentials: [],
  },
];

export const TEST_FAILURE_MODES = [
  { value: 'none', label: 'None: behaves normally' },
  { value: 'unavailable', label: 'Unavailable: every create fails as a retryable 503' },
  { value: 'decline', label: 'Decline: every create is declined' },
];

export function providerInfo(name: string): ProviderInfo | undefined {
  return PROVIDERS.find((p) => p.name === name);
}

export function providerLabel(name: string | null | undefined): string {
  if (!name) return '—';
  return providerInfo(name)?.label ?? name;
}

/**
 * The payment on the PSP's own dashboard, where its URL is known from the provider's id:
 * Mollie (tr_…), Stripe (PaymentIntent, test or live), Adyen (a PSP reference).
 */
export function pspDashboardUrl(
  provider: string,
  paymentId: string | null | undefined,
  testMode: boolean | undefined,
): string | null {
  if (!paymentId) return null;
  const id = encodeURIComponent(paymentId);
  if (provider === 'mollie' && paymentId.startsWith('tr_'))
    return `https://my.mollie.com/dashboard/payments/${id}`;
  if (provider === 'stripe' && paymentId.startsWith('pi_'))
    return `https://dashboard.stripe.com/${testMode === false ? '' : 'test/'}payments/${id}`;
  if (provider === 'adyen' && /^[A-Z0-9]{16}$/.test(paymentId)) {
    return `https://ca-${testMode === false ? 'live' : 'test'}.adyen.com/ca/ca/accounts/showTx.shtml?pspReference=${id}&txType=Payment`;
  }
  return null;
}
