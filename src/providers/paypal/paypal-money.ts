import type { Money } from '../../common/money/money';
import { fromDecimalString, MoneyFormatError, toDecimalString } from '../../common/money/money';
import { ProviderError } from '../provider-error';
import type { PayPalMoney } from './paypal.types';

/** Currencies PayPal refuses decimals for although ISO 4217 has two (PayPal currency codes). */
const PAYPAL_WHOLE_UNITS_ONLY = new Set(['HUF', 'TWD']);

/** Our minor units as PayPal's decimal string. */
export function toPayPalMoney(amount: Money): PayPalMoney {
  if (PAYPAL_WHOLE_UNITS_ONLY.has(amount.currency)) {
    // ISO gives these two decimals; PayPal takes whole units only.
    if (amount.value % 100 !== 0)
      throw new ProviderError(
        'invalid_request',
        `PayPal takes ${amount.currency} in whole units only`,
      );
    return { currency_code: amount.currency, value: String(amount.value / 100) };
  }
  try {
    return {
      currency_code: amount.currency,
      value: toDecimalString(amount.value, amount.currency),
    };
  } catch (error) {
    throw new ProviderError('invalid_request', (error as Error).message);
  }
}

/** PayPal's decimal string as our minor units; an unreadable one is a provider error. */
export function fromPayPalMoney(amount: PayPalMoney): number {
  try {
    return fromDecimalString(amount.value, amount.currency_code);
  } catch (error) {
    if (error instanceof MoneyFormatError)
      throw new ProviderError(
        'provider_error',
        `PayPal sent an unreadable amount: ${error.message}`,
      );
    throw error;
  }
}
