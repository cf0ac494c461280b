import { useState } from 'react';
import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  List,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { isMissingRoute, simulateRouting, type SimulateResult } from '../../api/operator-routes';
import { fieldErrors, problemMessage } from '../../api/problem';
import type { Integration, RoutingRule } from '../../api/types';
import { createPaymentDtoMethodValues } from '../../api/schema.gen';
import { MoneyInput } from '../../components/MoneyInput';
import { CURRENCIES } from '../../lib/currency';
import { useProviderLabel } from '../providers/provider-catalog';
import {
  EMPTY_SIMULATION,
  simulateBody,
  simulateField,
  type SimulateValues,
} from './simulate-form';

const ROLE_WORDS = { target: 'target', fallback: 'fallback', default: 'default account' } as const;

function Result({
  result,
  rules,
  accountNames,
}: {
  result: SimulateResult;
  rules: RoutingRule[];
  accountNames: Map<string, string>;
}) {
  const providerLabel = useProviderLabel();
  const rule = rules.find((r) => r.id === result.ruleId);
  const first = result.candidates.find((c) => c.eligible);
  return (
    <Stack gap="xs" data-testid="simulation-result" aria-live="polite">
      <Text size="sm" fw={600}>
        {first
          ? `Goes to ${accountNames.get(first.providerAccountId) ?? first.providerAccountId} (${providerLabel(first.provider)})`
          : 'No account would take it'}
        {result.ruleId ? `, by rule ${rule?.name ?? result.ruleId}` : ', by no rule'}
      </Text>
      <Text size="sm">{result.reason}</Text>
      {result.candidates.length ? (
        <List size="sm" spacing={4} type="ordered">
          {result.candidates.map((c) => (
            <List.Item key={`${c.role}-${c.providerAccountId}`}>
              <Group gap={6} wrap="wrap">
                <Text span size="sm">
                  {accountNames.get(c.providerAccountId) ?? c.providerAccountId} (
                  {ROLE_WORDS[c.role] ?? c.role})
                </Text>
                <Badge
                  variant="dot"
                  color={c.eligible ? 'green' : 'gray'}
                  tt="none"
                  maw="none"
                  style={{ flexShrink: 0 }}
                >
                  {c.eligible ? 'eligible' : 'skipped'}
                </Badge>
              </Group>
              <Text size="xs" c="dimmed" className="break-anywhere">
                {c.why}
              </Text>
            </List.Item>
          ))}
        </List>
      ) : null}
    </Stack>
  );
}

/**
 * Where a sample payment would go, and why: the server's dry run
 * (POST /api/v1/admin/routing/simulate; creates nothing, calls no provider).
 */
export function SimulateBox({
  integrations,
  rules,
  accountNames,
}: {
  integrations: Integration[];
  rules: RoutingRule[];
  accountNames: Map<string, string>;
}) {
  const [values, setValues] = useState<SimulateValues>(EMPTY_SIMULATION);
  const [errors, setErrors] = useState<Partial<Record<keyof SimulateValues, string>>>({});
  const simulate = useMutation({ mutationFn: simulateRouting });
  const set = (key: keyof SimulateValues) => (value: string | null) =>
    setValues((v) => ({ ...v, [key]: value ?? '' }));
  const integrationId =
    values.integrationId || (integrations.length === 1 ? integrations[0]!.id : '');

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const { body, errors: problems } = simulateBody({ ...values, integrationId });
    setErrors(problems);
    if (!body) return;
    try {
      await simulate.mutateAsync(body);
    } catch (error) {
      setErrors(fieldErrors(error, simulateField) as Partial<Record<keyof SimulateValues, string>>);
    }
  };

  return (
    <Card withBorder component="section" aria-label="Simulate a payment">
      <Title order={2} size="h4" mb={4}>
        Simulate a payment
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        Where would a payment like this go now, and why? Nothing is created and no provider is
        called.
      </Text>
      <form onSubmit={(e) => void submit(e)} noValidate aria-label="Simulate a payment">
        <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} spacing="sm" verticalSpacing="xs">
          <Select
            label="Integration"
            withAsterisk
            data={integrations.map((i) => ({ value: i.id, label: i.name }))}
            value={integrationId || null}
            onChange={set('integrationId')}
            error={errors.integrationId}
            allowDeselect={false}
          />
          <Select
            label="Currency"
            withAsterisk
            searchable
            data={CURRENCIES.map((c) => ({ value: c.code, label: `${c.code} – ${c.name}` }))}
            value={values.currency || null}
            onChange={set('currency')}
            error={errors.currency}
            allowDeselect={false}
          />
          <MoneyInput
            label="Amount"
            withAsterisk
            currency={values.currency}
            placeholder="25,00"
            value={values.amount}
            onChange={(e) => set('amount')(e.currentTarget.value)}
            error={errors.amount}
          />
          <TextInput
            label="Customer country"
            placeholder="NL"
            maxLength={2}
            value={values.country}
            onChange={(e) => set('country')(e.currentTarget.value)}
            error={errors.country}
          />
          <Select
            label="Method"
            placeholder="Chosen by the customer"
            clearable
            data={createPaymentDtoMethodValues.map((m) => m)}
            value={values.method || null}
            onChange={set('method')}
            error={errors.method}
          />
          <TextInput
            label="Customer email"
            description="The split between targets is sticky per customer"
            placeholder="jane@example.com"
            value={values.email}
            onChange={(e) => set('email')(e.currentTarget.value)}
            error={errors.email}
          />
        </SimpleGrid>
        <Group mt="sm">
          <Button type="submit" loading={simulate.isPending}>
            Simulate
          </Button>
        </Group>
      </form>
      <Stack mt="sm">
        {simulate.isError && isMissingRoute(simulate.error) ? (
          <Alert color="gray" variant="outline" data-testid="simulate-unavailable">
            This server cannot simulate routing yet (it has no POST /api/v1/admin/routing/simulate).
          </Alert>
        ) : simulate.isError && Object.keys(errors).length === 0 ? (
          <Alert color="red" variant="outline" role="alert" title="The simulation did not run">
            {problemMessage(simulate.error)}
          </Alert>
        ) : null}
        {simulate.data && !simulate.isError ? (
          <Result result={simulate.data} rules={rules} accountNames={accountNames} />
        ) : null}
      </Stack>
    </Card>
  );
}
