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
  settings: [
    {
      name: 'failureMode',
      label: 'Failure mode',
      values: ['none', 'unavailable', 'decline'],
      description:
        '`unavailable`: every create fails as a retryable 503; `decline`: every create is declined',
    },
    {
      name: 'operationFault',
      label: 'Operation fault',
      values: ['none', 'lost_answer', 'unavailable_after_work'],
      description:
        'A capture, cancel or refund is done, then its answer is lost (`lost_answer`: a timeout; `unavailable_after_work`: a 503), once per idempotency key',
    },
  ],
};
