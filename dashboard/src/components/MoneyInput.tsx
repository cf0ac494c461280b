import { TextInput, type TextInputProps } from '@mantine/core';

/**
 * An amount in major units as the operator types it ("10,50" or "10.50"); the form parses it
 * with parseAmount against the currency, so the value sent is integer minor units.
 */
export function MoneyInput({ currency, ...props }: TextInputProps & { currency: string }) {
  return (
    <TextInput
      inputMode="decimal"
      autoComplete="off"
      rightSection={<span className="currency-code">{currency}</span>}
      rightSectionWidth={48}
      {...props}
    />
  );
}
