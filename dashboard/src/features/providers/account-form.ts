import type { components } from '../../api/schema.gen';
import type { ProviderAccount } from '../../api/types';
import type { ProviderInfo } from './provider-catalog';

/** The provider account form's values: credentials by field name, settings as typed. */
export interface AccountFormValues {
  provider: string;
  name: string;
  testMode: boolean;
  enabled: boolean;
  baseUrl: string;
  /** Editing: credentials are replaced whole, or left as they are. */
  replaceCredentials: boolean;
  credentials: Record<string, string>;
  settings: { requestTimeoutMs: string; failureMode: string };
  /** The integrations that may use the account; empty: every integration. */
  integrationIds: string[];
}

export function initialValues(account?: ProviderAccount): AccountFormValues {
  const settings = account?.settings ?? {};
  return {
    provider: account?.provider ?? '',
    name: account?.name ?? '',
    testMode: account?.testMode ?? true,
    enabled: account?.enabled ?? true,
    baseUrl: account?.baseUrl ?? '',
    replaceCredentials: !account,
    credentials: {},
    integrationIds: [...(account?.integrationIds ?? [])],
    settings: {
      requestTimeoutMs:
        settings.requestTimeoutMs === undefined ? '' : String(settings.requestTimeoutMs),
      failureMode: typeof settings.failureMode === 'string' ? settings.failureMode : '',
    },
  };
}

/**
 * Field errors found before any request: the required fields of the provider's declared
 * credential schema. Patterns are left to the server (one regex dialect, its own words), whose
 * field errors are shown next to the same fields.
 */
export function validateAccount(
  values: AccountFormValues,
  provider: ProviderInfo | undefined,
): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!values.provider) errors.provider = 'Choose a provider';
  if (!values.name.trim()) errors.name = 'Give the account a name';
  if (values.replaceCredentials) {
    for (const field of provider?.credentials ?? []) {
      if (field.required && !values.credentials[field.name]?.trim())
        errors[`credentials.${field.name}`] = `${field.label} is required`;
    }
  }
  const timeout = values.settings.requestTimeoutMs.trim();
  if (timeout && (!/^\d+$/.test(timeout) || Number(timeout) < 100 || Number(timeout) > 60000)) {
    errors['settings.requestTimeoutMs'] = 'A whole number of milliseconds from 100 to 60000';
  }
  if (values.baseUrl.trim() && !/^https?:\/\/\S+$/.test(values.baseUrl.trim()))
    errors.baseUrl = 'An absolute http(s) URL';
  return errors;
}

function sameEntries(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((key) => JSON.stringify(a[key]) === JSON.stringify(b[key]))
  );
}

function settingsOf(values: AccountFormValues, account?: ProviderAccount): Record<string, unknown> {
  const settings: Record<string, unknown> = { ...(account?.settings ?? {}) };
  delete settings.requestTimeoutMs;
  delete settings.failureMode;
  if (values.settings.requestTimeoutMs.trim())
    settings.requestTimeoutMs = Number(values.settings.requestTimeoutMs.trim());
  if (values.provider === 'test' && values.settings.failureMode)
    settings.failureMode = values.settings.failureMode;
  return settings;
}

function credentialsOf(
  values: AccountFormValues,
  provider: ProviderInfo | undefined,
): Record<string, string> {
  const credentials: Record<string, string> = {};
  for (const field of provider?.credentials ?? []) {
    const value = values.credentials[field.name]?.trim();
    if (value) credentials[field.name] = value;
  }
  return credentials;
}

/** The API's value: the chosen integrations, or null for every integration. */
function integrationIdsOf(values: AccountFormValues): string[] | null {
  return values.integrationIds.length > 0 ? [...values.integrationIds] : null;
}

function sameSet(a: string[] | null, b: string[] | null): boolean {
  const x = new Set(a ?? []);
  const y = new Set(b ?? []);
  return x.size === y.size && [...x].every((id) => y.has(id));
}

/**
 * The server's field errors under the form's fields: `integrationIds[2]` belongs to the
 * integrations picker; a refusal to narrow an account that rules still use (409
 * `provider_account_in_use`, no field) too.
 */
export function accountFieldErrors(
  fieldErrorsByServerName: Record<string, string>,
  problem: { code?: string; detail?: string },
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const [field, message] of Object.entries(fieldErrorsByServerName)) {
    const path = /^integrationIds(\[\d+\])?$/.test(field) ? 'integrationIds' : field;
    errors[path] = errors[path] ? `${errors[path]}; ${message}` : message;
  }
  if (problem.code === 'provider_account_in_use' && problem.detail?.includes('integrationIds'))
    errors.integrationIds = problem.detail;
  return errors;
}

/** A new account: everything, credentials by their contract names. */
export function createAccountBody(
  values: AccountFormValues,
  provider: ProviderInfo | undefined,
): components['schemas']['CreateProviderAccountDto'] {
  const baseUrl = values.baseUrl.trim();
  return {
    provider: values.provider,
    name: values.name.trim(),
    testMode: values.testMode,
    enabled: values.enabled,
    credentials: credentialsOf(values, provider),
    settings: settingsOf(values),
    ...(values.integrationIds.length > 0 ? { integrationIds: integrationIdsOf(values) } : {}),
    ...(baseUrl ? { baseUrl } : {}),
  };
}

/**
 * An edit: only what changed; settings merged into the account's own (other keys kept);
 * credentials only when replaced (they are write-only and replaced whole).
 */
export function updateAccountBody(
  values: AccountFormValues,
  account: ProviderAccount,
  provider: ProviderInfo | undefined,
): components['schemas']['UpdateProviderAccountDto'] {
  const settings = settingsOf(values, account);
  const baseUrl = values.baseUrl.trim();
  return {
    ...(values.name.trim() !== account.name ? { name: values.name.trim() } : {}),
    ...(values.testMode !== account.testMode ? { testMode: values.testMode } : {}),
    ...(values.enabled !== account.enabled ? { enabled: values.enabled } : {}),
    ...(!sameEntries(settings, account.settings ?? {}) ? { settings } : {}),
    ...(baseUrl && baseUrl !== account.baseUrl ? { baseUrl } : {}),
    ...(values.replaceCredentials ? { credentials: credentialsOf(values, provider) } : {}),
    ...(!sameSet(integrationIdsOf(values), account.integrationIds)
      ? { integrationIds: integrationIdsOf(values) }
      : {}),
  };
}
