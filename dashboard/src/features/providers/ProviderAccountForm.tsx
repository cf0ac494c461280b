import {
  Alert,
  Button,
  Checkbox,
  Fieldset,
  Group,
  MultiSelect,
  PasswordInput,
  Select,
  Stack,
  Switch,
  Text,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQueryClient } from '@tanstack/react-query';
import { $api } from '../../api/client';
import { useAllIntegrations } from '../../api/lists';
import { fieldErrors, toProblem } from '../../api/problem';
import type { ProviderAccount } from '../../api/types';
import { notifyFormError, notifySuccess } from '../../components/feedback';
import {
  accountFieldErrors,
  createAccountBody,
  initialValues,
  updateAccountBody,
  validateAccount,
  type AccountFormValues,
} from './account-form';
import { providerInfo, TEST_FAILURE_MODES, useProviderCatalog } from './provider-catalog';

/**
 * Adds or edits a provider account: one field per credential of the chosen provider (no raw
 * JSON). Credentials are write-only: an edit leaves them unless "Replace credentials" is on.
 */
export function ProviderAccountForm({
  account,
  onDone,
}: {
  account?: ProviderAccount;
  onDone: (saved: ProviderAccount) => void;
}) {
  const queryClient = useQueryClient();
  const create = $api.useMutation('post', '/api/v1/admin/provider-accounts');
  const update = $api.useMutation('patch', '/api/v1/admin/provider-accounts/{id}');
  const catalog = useProviderCatalog();
  const providers = catalog.data?.data;
  // useForm takes the rules of the latest render, so they see the catalog once it has loaded.
  const form = useForm<AccountFormValues>({
    initialValues: initialValues(account),
    validate: (values) => validateAccount(values, providerInfo(providers, values.provider)),
  });
  const info = providerInfo(providers, form.values.provider);
  const integrations = useAllIntegrations();
  const integrationOptions = [
    ...(integrations.data ?? []).map((i) => ({ value: i.id, label: i.name })),
    // Ids the account allows that are not in the list (yet) stay visible and removable.
    ...form.values.integrationIds
      .filter((id) => !integrations.data?.some((i) => i.id === id))
      .map((id) => ({ value: id, label: id })),
  ];

  const submit = form.onSubmit(async (values) => {
    try {
      const saved = account
        ? await update.mutateAsync({
            params: { path: { id: account.id } },
            body: updateAccountBody(values, account, info),
          })
        : await create.mutateAsync({ body: createAccountBody(values, info) });
      notifySuccess(
        account
          ? `Saved ${saved.name}.`
          : `Added ${saved.name}. Register its webhook URL at ${info?.label ?? saved.provider}.`,
      );
      await queryClient.invalidateQueries();
      onDone(saved);
    } catch (error) {
      const errors = accountFieldErrors(fieldErrors(error), toProblem(error));
      form.setErrors(errors);
      notifyFormError(error, errors, 'The account was not saved');
    }
  });

  return (
    <form
      onSubmit={submit}
      noValidate
      aria-label={account ? 'Edit provider account' : 'Add provider account'}
    >
      <Stack gap="sm">
        <Select
          label="Provider"
          data={(providers ?? []).map((p) => ({ value: p.name, label: p.label }))}
          placeholder={catalog.isPending ? 'Loading the providers…' : undefined}
          disabled={Boolean(account) || !providers}
          withAsterisk
          allowDeselect={false}
          {...form.getInputProps('provider')}
        />
        {catalog.isError ? (
          <Alert color="red" variant="outline" title="The providers could not be loaded">
            <Group gap="sm">
              <Text size="sm">Their credential fields come from the server.</Text>
              <Button size="xs" variant="light" onClick={() => void catalog.refetch()}>
                Try again
              </Button>
            </Group>
          </Alert>
        ) : null}
        {info ? (
          <Text size="sm" c="dimmed">
            {info.help}
          </Text>
        ) : null}
        <TextInput
          label="Name"
          placeholder="Mollie NL"
          withAsterisk
          {...form.getInputProps('name')}
          name="name"
        />
        <Group gap="lg">
          <Switch
            label="Test mode (the PSP's sandbox)"
            {...form.getInputProps('testMode', { type: 'checkbox' })}
          />
          <Switch label="Enabled" {...form.getInputProps('enabled', { type: 'checkbox' })} />
        </Group>
        {info && info.credentials.length > 0 ? (
          <Fieldset legend="Credentials">
            <Stack gap="sm">
              {account ? (
                <>
                  <Text size="sm">
                    Set and stored encrypted; never shown again:{' '}
                    {info.credentials
                      .filter((f) => f.required)
                      .map((f) => f.label)
                      .join(', ')}
                    .
                  </Text>
                  <Checkbox
                    label="Replace credentials (enter all of them)"
                    {...form.getInputProps('replaceCredentials', { type: 'checkbox' })}
                  />
                </>
              ) : null}
              {form.values.replaceCredentials
                ? info.credentials.map((field) => {
                    const props = {
                      label: field.label,
                      description: field.description,
                      placeholder: field.placeholder,
                      withAsterisk: field.required,
                      autoComplete: 'off',
                      name: `credentials.${field.name}`,
                      ...form.getInputProps(`credentials.${field.name}`),
                      value: form.values.credentials[field.name] ?? '',
                      // Mantine's PasswordInput does not mark itself invalid for assistive technology.
                      'aria-invalid':
                        Boolean(form.errors[`credentials.${field.name}`]) || undefined,
                    };
                    return field.secret ? (
                      <PasswordInput key={field.name} {...props} autoComplete="new-password" />
                    ) : (
                      <TextInput key={field.name} {...props} />
                    );
                  })
                : null}
            </Stack>
          </Fieldset>
        ) : null}
        <Fieldset legend="Settings">
          <Stack gap="sm">
            <TextInput
              label="Request timeout (ms)"
              description="How long a call to the PSP may take: 100 to 60000; empty for the server default"
              inputMode="numeric"
              {...form.getInputProps('settings.requestTimeoutMs')}
              name="settings.requestTimeoutMs"
            />
            {form.values.provider === 'test' ? (
              <Select
                label="Failure mode"
                placeholder="None"
                clearable
                data={TEST_FAILURE_MODES}
                {...form.getInputProps('settings.failureMode')}
              />
            ) : null}
            <TextInput
              label="API base URL (optional)"
              description="Overrides the PSP's API address: sandboxes, egress proxies"
              placeholder="https://api.example.com"
              {...form.getInputProps('baseUrl')}
              name="baseUrl"
            />
          </Stack>
        </Fieldset>
        <Fieldset legend="Allowed integrations">
          <MultiSelect
            label="Integrations that may use this account"
            description="Leave empty for every integration. Payments, routing rules and defaults of other integrations cannot use it."
            placeholder={
              form.values.integrationIds.length
                ? undefined
                : integrations.isPending
                  ? 'Every integration (loading the list…)'
                  : 'Every integration'
            }
            data={integrationOptions}
            searchable
            clearable
            nothingFoundMessage="No integration with that name"
            disabled={integrations.isError}
            {...form.getInputProps('integrationIds')}
          />
          {integrations.isError ? (
            <Text size="xs" c="red.9" mt={4}>
              The integrations could not be loaded; the account keeps the ones it has.
            </Text>
          ) : null}
        </Fieldset>
        {form.errors.credentials ? (
          <Alert color="red" variant="outline">
            {form.errors.credentials}
          </Alert>
        ) : null}
        <Group justify="flex-end">
          <Button type="submit" loading={create.isPending || update.isPending}>
            {account ? 'Save' : 'Add account'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
