import {
  ActionIcon,
  Alert,
  Button,
  Fieldset,
  Group,
  MultiSelect,
  Select,
  Slider,
  Stack,
  Switch,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconArrowDown, IconArrowUp, IconPlus, IconTrash } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { $api } from '../../api/client';
import { fieldErrors } from '../../api/problem';
import { useAllIntegrations, useAllProviderAccounts } from '../../api/lists';
import { createPaymentDtoMethodValues } from '../../api/schema.gen';
import type { RoutingRule } from '../../api/types';
import { notifyFormError, notifySuccess } from '../../components/feedback';
import { MoneyInput } from '../../components/MoneyInput';
import { CURRENCIES } from '../../lib/currency';
import { useProviderLabel } from '../providers/provider-catalog';
import {
  amountCurrency,
  ruleField,
  ruleToValues,
  valuesToRule,
  type RuleFormValues,
} from './rule-form';
import { setShare, withTargetAdded, withTargetRemoved } from './weights';

/** A routing rule as a form: conditions, targets with shares summing to 100 %, fallback order. */
export function RuleEditor({
  rule,
  nextPriority,
  onDone,
}: {
  rule?: RoutingRule;
  nextPriority: number;
  onDone: () => void;
}) {
  const providerLabel = useProviderLabel();
  const queryClient = useQueryClient();
  const accounts = useAllProviderAccounts();
  const integrations = useAllIntegrations();
  const create = $api.useMutation('post', '/api/v1/admin/routing-rules');
  const update = $api.useMutation('patch', '/api/v1/admin/routing-rules/{id}');
  const form = useForm<RuleFormValues>({
    initialValues: ruleToValues(rule, nextPriority),
    validate: (values) => valuesToRule(values).errors,
  });
  const values = form.values;
  const accountOptions = (accounts.data ?? []).map((a) => ({
    value: a.id,
    label: `${a.name} (${providerLabel(a.provider)})${a.enabled ? '' : ', disabled'}`,
  }));
  const currency = amountCurrency(values.currencies);
  const shares = values.targets.map((t) => t.share);
  const setShares = (next: number[]) =>
    form.setFieldValue(
      'targets',
      values.targets.map((t, i) => ({ ...t, share: next[i]! })),
    );

  const submit = form.onSubmit(async (formValues) => {
    const { body } = valuesToRule(formValues);
    try {
      if (rule) await update.mutateAsync({ params: { path: { id: rule.id } }, body });
      else await create.mutateAsync({ body });
      notifySuccess(rule ? `Saved rule ${body.name}.` : `Added rule ${body.name}.`);
      await queryClient.invalidateQueries();
      onDone();
    } catch (error) {
      const errors = fieldErrors(error, ruleField);
      form.setErrors(errors);
      notifyFormError(error, errors, 'The rule was not saved');
    }
  });

  const moveFallback = (index: number, by: number) => {
    const next = [...values.fallback];
    const [item] = next.splice(index, 1);
    next.splice(index + by, 0, item!);
    form.setFieldValue('fallback', next);
  };

  return (
    <form onSubmit={submit} noValidate aria-label={rule ? 'Edit routing rule' : 'New routing rule'}>
      <Stack gap="sm">
        <Group grow align="flex-start" wrap="wrap">
          <TextInput
            label="Name"
            withAsterisk
            {...form.getInputProps('name')}
            name="name"
            miw={200}
          />
          <TextInput
            label="Priority"
            description="Lowest is evaluated first"
            inputMode="numeric"
            withAsterisk
            {...form.getInputProps('priority')}
            name="priority"
            miw={140}
          />
        </Group>
        <Group grow align="flex-start" wrap="wrap">
          <Select
            label="Integration"
            data={[
              { value: '', label: 'Every integration' },
              ...(integrations.data ?? []).map((i) => ({ value: i.id, label: i.name })),
            ]}
            allowDeselect={false}
            {...form.getInputProps('integrationId')}
            miw={200}
          />
          <Switch
            label="Enabled"
            mt="lg"
            {...form.getInputProps('enabled', { type: 'checkbox' })}
          />
        </Group>

        <Fieldset legend="Conditions: which payments (all must hold; empty means any)">
          <Stack gap="sm">
            <MultiSelect
              label="Currencies"
              placeholder="Any currency"
              searchable
              data={CURRENCIES.map((c) => ({ value: c.code, label: `${c.code} – ${c.name}` }))}
              {...form.getInputProps('currencies')}
            />
            <Group grow align="flex-start" wrap="wrap">
              {currency ? (
                <>
                  <MoneyInput
                    label="Amount from"
                    currency={currency}
                    {...form.getInputProps('amountMin')}
                    name="amountMin"
                    miw={140}
                  />
                  <MoneyInput
                    label="Amount to"
                    currency={currency}
                    {...form.getInputProps('amountMax')}
                    name="amountMax"
                    miw={140}
                  />
                </>
              ) : (
                <>
                  <TextInput
                    label="Amount from (minor units)"
                    description="Choose one currency to type an amount"
                    inputMode="numeric"
                    {...form.getInputProps('amountMin')}
                    name="amountMin"
                    miw={140}
                  />
                  <TextInput
                    label="Amount to (minor units)"
                    inputMode="numeric"
                    {...form.getInputProps('amountMax')}
                    name="amountMax"
                    miw={140}
                  />
                </>
              )}
            </Group>
            <TagsInput
              label="Customer countries"
              description="ISO 3166-1 alpha-2 codes, e.g. NL, BE; Enter after each"
              placeholder="Any country"
              {...form.getInputProps('countries')}
            />
            <MultiSelect
              label="Methods"
              placeholder="Any method"
              data={createPaymentDtoMethodValues.map((m) => ({ value: m, label: m }))}
              {...form.getInputProps('methods')}
            />
            <Stack gap={4}>
              <Text size="sm" fw={500}>
                Metadata (every key must have exactly this value)
              </Text>
              {values.metadata.map((_, index) => (
                <Group key={index} gap="xs" align="flex-start" wrap="nowrap">
                  <TextInput
                    aria-label={`Metadata key ${index + 1}`}
                    placeholder="key"
                    {...form.getInputProps(`metadata.${index}.key`)}
                    style={{ flex: 1 }}
                  />
                  <TextInput
                    aria-label={`Metadata value ${index + 1}`}
                    placeholder="value"
                    {...form.getInputProps(`metadata.${index}.value`)}
                    style={{ flex: 1 }}
                  />
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={`Remove metadata ${index + 1}`}
                    onClick={() => form.removeListItem('metadata', index)}
                    mt={4}
                  >
                    <IconTrash size={16} aria-hidden />
                  </ActionIcon>
                </Group>
              ))}
              {form.errors.metadata ? (
                <Text size="sm" c="red.9">
                  {form.errors.metadata}
                </Text>
              ) : null}
              <Group>
                <Button
                  size="xs"
                  variant="default"
                  leftSection={<IconPlus size={14} aria-hidden />}
                  onClick={() => form.insertListItem('metadata', { key: '', value: '' })}
                >
                  Add metadata condition
                </Button>
              </Group>
            </Stack>
          </Stack>
        </Fieldset>

        <Fieldset legend="Targets: where the payments go">
          <Stack gap="sm">
            {values.targets.map((target, index) => (
              <Stack key={index} gap={4} data-target-index={index}>
                <Group gap="xs" align="flex-end" wrap="nowrap">
                  <Select
                    label={`Account ${index + 1}`}
                    data={accountOptions}
                    searchable
                    allowDeselect={false}
                    {...form.getInputProps(`targets.${index}.providerAccountId`)}
                    style={{ flex: 1, minWidth: 0 }}
                  />
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    size="lg"
                    aria-label={`Remove account ${index + 1}`}
                    onClick={() =>
                      form.setFieldValue(
                        'targets',
                        values.targets
                          .filter((_, i) => i !== index)
                          .map((t, i) => ({ ...t, share: withTargetRemoved(shares, index)[i]! })),
                      )
                    }
                  >
                    <IconTrash size={16} aria-hidden />
                  </ActionIcon>
                </Group>
                {values.targets.length > 1 ? (
                  <Group gap="sm" wrap="nowrap">
                    <Slider
                      value={target.share}
                      min={0}
                      max={100}
                      step={1}
                      onChange={(share) => setShares(setShare(shares, index, share))}
                      label={(v) => `${v} %`}
                      thumbLabel={`Share of account ${index + 1}`}
                      style={{ flex: 1 }}
                    />
                    <Text size="sm" w={48} ta="right" data-testid={`share-${index}`}>
                      {target.share} %
                    </Text>
                  </Group>
                ) : (
                  <Text size="sm">All matching payments (100 %).</Text>
                )}
              </Stack>
            ))}
            {form.errors.targets ? (
              <Text size="sm" c="red.9" role="alert">
                {form.errors.targets}
              </Text>
            ) : null}
            <Text size="sm">
              Total: <b>{shares.reduce((a, b) => a + b, 0)} %</b>. The same customer (email, else
              reference) always gets the same account.
            </Text>
            <Group>
              <Button
                size="xs"
                variant="default"
                leftSection={<IconPlus size={14} aria-hidden />}
                onClick={() => {
                  const next = withTargetAdded(shares);
                  form.setFieldValue('targets', [
                    ...values.targets.map((t, i) => ({ ...t, share: next[i]! })),
                    { providerAccountId: '', share: next[next.length - 1]! },
                  ]);
                }}
              >
                Add account
              </Button>
            </Group>
          </Stack>
        </Fieldset>

        <Fieldset legend="Fallback: tried in this order when the chosen account fails with a retryable error">
          <Stack gap="xs">
            {values.fallback.map((id, index) => (
              <Group key={id} gap="xs" wrap="nowrap">
                <Text size="sm" style={{ flex: 1, minWidth: 0 }} className="break-anywhere">
                  {index + 1}. {accountOptions.find((a) => a.value === id)?.label ?? id}
                </Text>
                <ActionIcon
                  variant="subtle"
                  aria-label={`Move fallback ${index + 1} up`}
                  disabled={index === 0}
                  onClick={() => moveFallback(index, -1)}
                >
                  <IconArrowUp size={16} aria-hidden />
                </ActionIcon>
                <ActionIcon
                  variant="subtle"
                  aria-label={`Move fallback ${index + 1} down`}
                  disabled={index === values.fallback.length - 1}
                  onClick={() => moveFallback(index, 1)}
                >
                  <IconArrowDown size={16} aria-hidden />
                </ActionIcon>
                <ActionIcon
                  variant="subtle"
                  color="red"
                  aria-label={`Remove fallback ${index + 1}`}
                  onClick={() => form.removeListItem('fallback', index)}
                >
                  <IconTrash size={16} aria-hidden />
                </ActionIcon>
              </Group>
            ))}
            <Select
              label="Add a fallback account"
              placeholder="Choose an account"
              data={accountOptions.filter((a) => !values.fallback.includes(a.value))}
              value={null}
              onChange={(id) => id && form.setFieldValue('fallback', [...values.fallback, id])}
              error={form.errors.fallback}
              searchable
            />
          </Stack>
        </Fieldset>

        {form.errors.conditions ? (
          <Alert color="red" variant="outline">
            {form.errors.conditions}
          </Alert>
        ) : null}
        <Group justify="flex-end">
          <Button type="submit" loading={create.isPending || update.isPending}>
            {rule ? 'Save rule' : 'Add rule'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
