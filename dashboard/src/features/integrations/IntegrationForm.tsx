import { Button, Group, Select, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQueryClient } from '@tanstack/react-query';
import { $api } from '../../api/client';
import { fieldErrors } from '../../api/problem';
import { useAllProviderAccounts } from '../../api/lists';
import type { components } from '../../api/schema.gen';
import type { Integration } from '../../api/types';
import { notifyFormError, notifySuccess } from '../../components/feedback';
import { useProviderLabel } from '../providers/provider-catalog';

type NullableId = components['schemas']['CreateIntegrationDto']['defaultProviderAccountId'];

/** The server documents these optional ids loosely; they are strings or null. */
const asId = (value: string) => (value ? value : null) as unknown as NullableId;

export function IntegrationForm({
  integration,
  onDone,
}: {
  integration?: Integration;
  onDone: () => void;
}) {
  const providerLabel = useProviderLabel();
  const queryClient = useQueryClient();
  const accounts = useAllProviderAccounts();
  const create = $api.useMutation('post', '/api/v1/admin/integrations');
  const update = $api.useMutation('patch', '/api/v1/admin/integrations/{id}');
  const form = useForm({
    initialValues: {
      name: integration?.name ?? '',
      defaultProviderAccountId: integration?.defaultProviderAccountId ?? '',
      oidcClientId: integration?.oidcClientId ?? '',
    },
    validate: { name: (v) => (v.trim() ? null : 'Give the integration a name') },
  });

  const submit = form.onSubmit(async (values) => {
    const body = {
      name: values.name.trim(),
      defaultProviderAccountId: asId(values.defaultProviderAccountId),
      oidcClientId: asId(values.oidcClientId.trim()),
    };
    try {
      if (integration) await update.mutateAsync({ params: { path: { id: integration.id } }, body });
      else await create.mutateAsync({ body });
      notifySuccess(
        integration
          ? `Saved ${body.name}.`
          : `Added ${body.name}. Create an API key for the shop next.`,
      );
      await queryClient.invalidateQueries();
      onDone();
    } catch (error) {
      const errors = fieldErrors(error);
      form.setErrors(errors);
      notifyFormError(error, errors, 'The integration was not saved');
    }
  });

  return (
    <form
      onSubmit={submit}
      noValidate
      aria-label={integration ? 'Edit integration' : 'Add integration'}
    >
      <Stack gap="sm">
        <TextInput
          label="Name"
          placeholder="Web shop"
          withAsterisk
          {...form.getInputProps('name')}
          name="name"
        />
        <Select
          label="Default provider account"
          description="Takes the payments no routing rule matches; without one they fail (no_route)"
          placeholder="None"
          clearable
          data={(accounts.data ?? []).map((a) => ({
            value: a.id,
            label: `${a.name} (${providerLabel(a.provider)})`,
          }))}
          {...form.getInputProps('defaultProviderAccountId')}
          onChange={(value) => form.setFieldValue('defaultProviderAccountId', value ?? '')}
        />
        <TextInput
          label="OIDC client id (optional)"
          description="A shop that calls with OpenID Connect tokens instead of an API key"
          {...form.getInputProps('oidcClientId')}
          name="oidcClientId"
        />
        <Group justify="flex-end">
          <Button type="submit" loading={create.isPending || update.isPending}>
            {integration ? 'Save' : 'Add integration'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
