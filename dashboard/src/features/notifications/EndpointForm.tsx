import { useState } from 'react';
import {
  Button,
  Checkbox,
  Group,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Text,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQueryClient } from '@tanstack/react-query';
import { $api } from '../../api/client';
import { fieldErrors } from '../../api/problem';
import { useAllIntegrations } from '../../api/lists';
import { createNotificationEndpointDtoEventsValues } from '../../api/schema.gen';
import type { NotificationEndpoint } from '../../api/types';
import { notifyFormError, notifySuccess } from '../../components/feedback';
import { SecretOnce } from '../../components/SecretOnce';

interface Values {
  integrationId: string;
  type: 'webhook' | 'rabbitmq';
  url: string;
  exchange: string;
  routingKeyPrefix: string;
  events: string[];
  enabled: boolean;
}

/** Adds or edits a notification endpoint; a new webhook endpoint's signing secret is shown once. */
export function EndpointForm({
  endpoint,
  onDone,
}: {
  endpoint?: NotificationEndpoint;
  onDone: () => void;
}) {
  const queryClient = useQueryClient();
  const integrations = useAllIntegrations();
  const create = $api.useMutation('post', '/api/v1/admin/notification-endpoints');
  const update = $api.useMutation('patch', '/api/v1/admin/notification-endpoints/{id}');
  const [secret, setSecret] = useState<string | null>(null);
  const form = useForm<Values>({
    initialValues: {
      integrationId: endpoint?.integrationId ?? '',
      type: endpoint?.type ?? 'webhook',
      url: endpoint?.url ?? '',
      exchange: endpoint?.exchange ?? '',
      routingKeyPrefix: endpoint?.routingKeyPrefix ?? '',
      events: endpoint?.events ?? [...createNotificationEndpointDtoEventsValues],
      enabled: endpoint?.enabled ?? true,
    },
    validate: {
      integrationId: (v) => (v ? null : 'Choose the integration (shop) to notify'),
      url: (v, values) =>
        values.type === 'webhook' && !/^https?:\/\/\S+$/.test(v.trim())
          ? 'An absolute http(s) URL'
          : null,
      events: (v) => (v.length ? null : 'Choose at least one event'),
    },
  });
  const v = form.values;

  const submit = form.onSubmit(async (values) => {
    const target =
      values.type === 'webhook'
        ? { url: values.url.trim() }
        : {
            ...(values.exchange.trim() ? { exchange: values.exchange.trim() } : {}),
            ...(values.routingKeyPrefix.trim()
              ? { routingKeyPrefix: values.routingKeyPrefix.trim() }
              : {}),
          };
    const events = values.events as NotificationEndpoint['events'];
    try {
      if (endpoint) {
        await update.mutateAsync({
          params: { path: { id: endpoint.id } },
          body: { ...target, events, enabled: values.enabled },
        });
        notifySuccess('Saved the endpoint.');
        await queryClient.invalidateQueries();
        onDone();
      } else {
        const created = await create.mutateAsync({
          body: {
            integrationId: values.integrationId,
            type: values.type,
            events,
            enabled: values.enabled,
            ...target,
          },
        });
        await queryClient.invalidateQueries();
        if (created.secret) {
          notifySuccess('Added the endpoint. Copy its signing secret now.');
          setSecret(created.secret);
        } else {
          notifySuccess('Added the endpoint.');
          onDone();
        }
      }
    } catch (error) {
      const errors = fieldErrors(error);
      form.setErrors(errors);
      notifyFormError(error, errors, 'The endpoint was not saved');
    }
  });

  if (secret) {
    return (
      <Stack>
        <SecretOnce
          label="Signing secret (Standard Webhooks): the shop verifies every notification with it"
          secret={secret}
        />
        <Group justify="flex-end">
          <Button onClick={onDone}>Done</Button>
        </Group>
      </Stack>
    );
  }

  return (
    <form
      onSubmit={submit}
      noValidate
      aria-label={endpoint ? 'Edit notification endpoint' : 'Add notification endpoint'}
    >
      <Stack gap="sm">
        <Select
          label="Integration"
          description="The shop whose payments are notified"
          withAsterisk
          disabled={Boolean(endpoint)}
          data={(integrations.data ?? []).map((i) => ({ value: i.id, label: i.name }))}
          allowDeselect={false}
          searchable
          {...form.getInputProps('integrationId')}
        />
        <Stack gap={4}>
          <Text size="sm" fw={500} id="endpoint-type-label">
            Channel
          </Text>
          <SegmentedControl
            aria-labelledby="endpoint-type-label"
            disabled={Boolean(endpoint)}
            data={[
              { value: 'webhook', label: 'HTTP webhook' },
              { value: 'rabbitmq', label: 'RabbitMQ' },
            ]}
            {...form.getInputProps('type')}
          />
        </Stack>
        {v.type === 'webhook' ? (
          <TextInput
            label="URL"
            placeholder="https://shop.example.com/payment-events"
            withAsterisk
            {...form.getInputProps('url')}
            name="url"
          />
        ) : (
          <>
            <TextInput
              label="Exchange"
              placeholder="paymentserver.events"
              description="A durable topic exchange; empty for the default"
              {...form.getInputProps('exchange')}
              name="exchange"
            />
            <TextInput
              label="Routing key prefix (optional)"
              placeholder="shop1."
              {...form.getInputProps('routingKeyPrefix')}
              name="routingKeyPrefix"
            />
          </>
        )}
        <Checkbox.Group label="Events" withAsterisk {...form.getInputProps('events')}>
          <Group mt={4}>
            {createNotificationEndpointDtoEventsValues.map((event) => (
              <Checkbox key={event} value={event} label={event} />
            ))}
          </Group>
        </Checkbox.Group>
        <Switch label="Enabled" {...form.getInputProps('enabled', { type: 'checkbox' })} />
        <Group justify="flex-end">
          <Button type="submit" loading={create.isPending || update.isPending}>
            {endpoint ? 'Save' : 'Add endpoint'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
