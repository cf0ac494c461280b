import { useState } from 'react';
import { Button, Collapse, Group, Select, SimpleGrid, TextInput } from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { IconFilter, IconSearch } from '@tabler/icons-react';
import { useAllIntegrations } from '../../api/lists';
import { paymentDtoMethodValues, paymentDtoStatusValues } from '../../api/schema.gen';
import { MoneyInput } from '../../components/MoneyInput';
import { CURRENCIES } from '../../lib/currency';
import { useProviderCatalog } from '../providers/provider-catalog';
import { EMPTY_FILTERS, toApiQuery, type PaymentFilters } from './payment-filters';

const label = (value: string) => value.replace(/_/g, ' ');

export function PaymentFiltersForm({
  initial,
  onApply,
}: {
  initial: PaymentFilters;
  onApply: (filters: PaymentFilters) => void;
}) {
  const providers = useProviderCatalog();
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<Partial<Record<keyof PaymentFilters, string>>>({});
  const hasAdvanced = Object.entries(initial).some(
    ([key, value]) => key !== 'search' && value !== '',
  );
  const [open, setOpen] = useState(hasAdvanced);
  const integrations = useAllIntegrations();
  const set = (key: keyof PaymentFilters) => (value: string | null) =>
    setValues((v) => ({ ...v, [key]: value ?? '' }));

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const { errors: problems } = toApiQuery(values);
    setErrors(problems);
    if (Object.keys(problems).length === 0) onApply(values);
  };

  return (
    <form onSubmit={submit} aria-label="Search payments" noValidate>
      <Group align="flex-end" gap="xs" wrap="wrap">
        <TextInput
          label="Search"
          description="Payment id, reference or customer email"
          placeholder="pay_…, order-1042 or jane@example.com"
          leftSection={<IconSearch size={16} aria-hidden />}
          value={values.search}
          onChange={(e) => set('search')(e.currentTarget.value)}
          style={{ flex: '1 1 18rem' }}
          name="search"
        />
        <Group gap="xs">
          <Button type="submit">Search</Button>
          <Button
            variant="default"
            leftSection={<IconFilter size={16} aria-hidden />}
            onClick={() => setOpen((o) => !o)}
            aria-expanded={open}
            aria-controls="payment-filters"
          >
            Filters
          </Button>
        </Group>
      </Group>
      <Collapse expanded={open} id="payment-filters">
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} mt="sm" spacing="sm">
          <Select
            label="Status"
            placeholder="Any"
            clearable
            data={paymentDtoStatusValues.map((s) => ({ value: s, label: label(s) }))}
            value={values.status || null}
            onChange={set('status')}
          />
          <Select
            label="Provider"
            placeholder="Any"
            clearable
            data={(providers.data?.data ?? []).map((p) => ({ value: p.name, label: p.label }))}
            value={values.provider || null}
            onChange={set('provider')}
          />
          <Select
            label="Method"
            placeholder="Any"
            clearable
            data={paymentDtoMethodValues
              .filter((m): m is NonNullable<typeof m> => m !== null)
              .map((m) => ({ value: m, label: m }))}
            value={values.method || null}
            onChange={set('method')}
          />
          <Select
            label="Integration"
            placeholder="Any"
            clearable
            searchable
            data={(integrations.data ?? []).map((i) => ({ value: i.id, label: i.name }))}
            value={values.integrationId || null}
            onChange={set('integrationId')}
          />
          <Select
            label="Currency"
            placeholder="Any"
            clearable
            searchable
            data={CURRENCIES.map((c) => ({ value: c.code, label: `${c.code} – ${c.name}` }))}
            value={values.currency || null}
            onChange={set('currency')}
          />
          <MoneyInput
            label="Amount from"
            currency={values.currency || '…'}
            value={values.amountMin}
            onChange={(e) => set('amountMin')(e.currentTarget.value)}
            error={errors.amountMin}
            name="amountMin"
          />
          <MoneyInput
            label="Amount to"
            currency={values.currency || '…'}
            value={values.amountMax}
            onChange={(e) => set('amountMax')(e.currentTarget.value)}
            error={errors.amountMax}
            name="amountMax"
          />
          <DatePickerInput
            type="range"
            label="Created"
            placeholder="Any date"
            clearable
            allowSingleDateInRange
            value={[values.createdFrom || null, values.createdTo || null]}
            onChange={([from, to]) =>
              setValues((v) => ({
                ...v,
                createdFrom: from ? String(from).slice(0, 10) : '',
                createdTo: to ? String(to).slice(0, 10) : '',
              }))
            }
          />
          <TextInput
            label="PSP payment id"
            placeholder="tr_…, pi_…"
            value={values.providerPaymentId}
            onChange={(e) => set('providerPaymentId')(e.currentTarget.value)}
            name="providerPaymentId"
          />
          <Select
            label="Needs attention"
            description="A capture, cancel or refund the provider has not settled in time"
            placeholder="Any"
            clearable
            data={[
              { value: 'true', label: 'Needs attention' },
              { value: 'false', label: 'Nothing open' },
            ]}
            value={values.needsAttention || null}
            onChange={set('needsAttention')}
          />
        </SimpleGrid>
        <Group mt="sm" gap="xs">
          <Button type="submit">Apply filters</Button>
          <Button
            variant="default"
            onClick={() => {
              setValues(EMPTY_FILTERS);
              setErrors({});
              onApply(EMPTY_FILTERS);
            }}
          >
            Reset
          </Button>
        </Group>
      </Collapse>
    </form>
  );
}
