import { PAYMENT_METHODS } from '../../domain/payment-status';
import { ALL_FEATURES } from '../capabilities';
import type { ConnectorDescription } from '../connector/credential-schema';
import type { ProviderCapabilities } from '../provider.interface';

/** The built-in provider can do everything, for every method and currency. */
export const TEST_CAPABILITIES: ProviderCapabilities = {
  currencies: 'any',
  methods: PAYMENT_METHODS,
  ...ALL_FEATURES,
  expiry: { minSeconds: 1, maxSeconds: 365 * 86400 },
};

export const TEST_DESCRIPTION: ConnectorDescription = {
  label: 'Test provider',
  help: 'Built in, for development: no credentials. Its checkout page has one button per outcome.',
  credentials: [],
};
