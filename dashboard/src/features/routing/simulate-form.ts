import type { SimulateBody } from '../../api/operator-routes';
import { createPaymentDtoMethodValues } from '../../api/schema.gen';
import { parseAmount } from '../../lib/money';

/** The simulate box's fields, as typed. */
export interface SimulateValues {
  integrationId: string;
  currency: string;
  amount: string;
  country: string;
  method: string;
  email: string;
}

export const EMPTY_SIMULATION: SimulateValues = {
  integrationId: '',
  currency: 'EUR',
  amount: '',
  country: '',
  method: '',
  email: '',
};

type Method = NonNullable<SimulateBody['method']>;

/**
 * The dry-run body for the values, or the field errors that stop it (before any request). The
 * payment's own required fields that do not influence routing get fixed stand-ins.
 */
export function simulateBody(
  values: SimulateValues,
):
  | { body: SimulateBody; errors: Record<string, never> }
  | { body: null; errors: Partial<Record<keyof SimulateValues, string>> } {
  const errors: Partial<Record<keyof SimulateValues, string>> = {};
  if (!values.integrationId) errors.integrationId = 'Choose the integration whose routing to try';
  if (!values.currency) errors.currency = 'Choose a currency';
  const amount = values.currency ? parseAmount(values.amount, values.currency) : null;
  if (amount && !amount.ok) errors.amount = amount.error;
  else if (amount?.ok && amount.value <= 0) errors.amount = 'Enter a positive amount';
  const country = values.country.trim().toUpperCase();
  if (country && !/^[A-Z]{2}$/.test(country)) errors.country = 'Two letters (ISO 3166-1), e.g. NL';
  const email = values.email.trim();
  if (email && !/^\S+@\S+$/.test(email)) errors.email = 'An email address';
  const method = createPaymentDtoMethodValues.find((m) => m === values.method);
  if (Object.keys(errors).length > 0 || !amount?.ok) return { body: null, errors };
  const customer = {
    ...(email ? { email } : {}),
    ...(country ? { country } : {}),
  };
  return {
    body: {
      integrationId: values.integrationId,
      amount: { value: amount.value, currency: values.currency },
      description: 'Routing simulation',
      reference: 'simulation',
      returnUrl: 'https://example.com/return',
      ...(method ? { method: method as Method } : {}),
      ...(Object.keys(customer).length ? { customer } : {}),
    },
    errors: {},
  };
}

/** The server's field names (`amount.value`, `customer.country`) as the box's. */
export function simulateField(field: string): keyof SimulateValues | undefined {
  if (field.startsWith('amount')) return 'amount';
  if (field === 'customer.country') return 'country';
  if (field === 'customer.email') return 'email';
  if (field === 'method' || field === 'integrationId') return field;
  return undefined;
}
