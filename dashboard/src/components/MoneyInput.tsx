import { TextInput, type TextInputProps } from '@mantine/core';
import { currencyExponent } from '../lib/currency';

/**
 * An amount in major units as the operator types it ("10,50" or "10.50"); the form parses it
 * with parseAmount against the currency, so the value sent is integer minor units.
 */
export function MoneyInput({ currency, ...props }: TextInputProps & { currency: string }) {
  const exponent = currencyExponent(currency) ?? 2;
  const example = exponent === 0 ? '1050' : `10,${'5'.padEnd(exponent, '0')}`;
  return (
    <TextInput
      inputMode="decimal"
      autoComplete="off"
      placeholder={example}
      rightSection={<span className="currency-code">{currency}</span>}
      rightSectionWidth={48}
      {...props}
    />
  );
}
