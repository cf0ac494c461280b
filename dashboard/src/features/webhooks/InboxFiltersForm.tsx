import { useState } from 'react';
import { Button, Group, Select, SimpleGrid, TextInput } from '@mantine/core';
import type { ProviderAccount } from '../../api/types';
import {
  EMPTY_INBOX_FILTERS,
  INBOX_STATUSES,
  STATUS_HELP,
  validateInboxFilters,
  type InboxFilters,
} from './inbox-filters';

/** Account, status and payment: the inbox's filters, applied together. */
export function InboxFiltersForm({
  initial,
  accounts,
  onApply,
}: {
  initial: InboxFilters;
  accounts: ProviderAccount[];
  onApply: (filters: InboxFilters) => void;
}) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<Partial<Record<keyof InboxFilters, string>>>({});
  const set = (key: keyof InboxFilters) => (value: string | null) =>
    setValues((v) => ({ ...v, [key]: value ?? '' }));
  const known = accounts.some((a) => a.id === values.providerAccountId);

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const problems = validateInboxFilters(values);
    setErrors(problems);
    if (Object.keys(problems).length === 0) onApply(values);
  };

  return (
    <form onSubmit={submit} aria-label="Filter provider webhooks" noValidate>
      <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="sm" verticalSpacing="xs">
        <Select
          label="Provider account"
          placeholder="Any"
          clearable
          searchable
          data={[
            ...accounts.map((a) => ({ value: a.id, label: `${a.name} (${a.provider})` })),
            // An id from a link that is not (or no longer) an account still shows.
            ...(values.providerAccountId && !known
              ? [{ value: values.providerAccountId, label: values.providerAccountId }]
              : []),
          ]}
          value={values.providerAccountId || null}
          onChange={set('providerAccountId')}
        />
        <Select
          label="Status"
          placeholder="Any"
          clearable
          data={INBOX_STATUSES.map((s) => ({ value: s, label: `${s} (${STATUS_HELP[s]})` }))}
          value={values.status || null}
          onChange={set('status')}
        />
        <TextInput
          label="Payment id"
          placeholder="pay_…"
          value={values.paymentId}
          onChange={(e) => set('paymentId')(e.currentTarget.value)}
          error={errors.paymentId}
          name="paymentId"
        />
        <Group gap="xs" align="flex-end">
          <Button type="submit">Apply filters</Button>
          <Button
            variant="default"
            onClick={() => {
              setValues(EMPTY_INBOX_FILTERS);
              setErrors({});
              onApply(EMPTY_INBOX_FILTERS);
            }}
          >
            Clear
          </Button>
        </Group>
      </SimpleGrid>
    </form>
  );
}
