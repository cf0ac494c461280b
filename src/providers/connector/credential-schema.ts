import type { FieldError } from '../../common/errors/domain-error';

/**
 * One credential a connector needs. Validation, the Swagger description of `credentials` and
 * the dashboard's account form all come from these declarations (GET /api/v1/admin/providers).
 */
export interface CredentialField {
  /** The key in `credentials` (CONTRACT.md; fixed once published). */
  name: string;
  label: string;
  /** Write-only: typed in a password field, never shown again. */
  secret: boolean;
  required: boolean;
  /** A regular expression (source) the value must match, when it has a known shape. */
  pattern?: string;
  /** What a value that does not match `pattern` is told. */
  message?: string;
  /** What a missing value is told (default `is required`). */
  requiredMessage?: string;
  description?: string;
  placeholder?: string;
}

/** One setting a connector takes in an account's `settings`: a choice among fixed values. */
export interface SettingField {
  /** The key in `settings`. */
  name: string;
  label: string;
  /** The values it takes; the first is what leaving it out means. */
  values: readonly string[];
  description?: string;
}

/** What an operator sees of a connector: its name, where to get credentials, and which. */
export interface ConnectorDescription {
  label: string;
  /** Where to get the credentials, in words. */
  help: string;
  credentials: readonly CredentialField[];
  /**
   * The settings it reads, when it reads any: then `settings` takes those and the ones every
   * account has (`requestTimeoutMs`), and nothing else. Without a list, other keys are kept.
   */
  settings?: readonly SettingField[];
  /**
   * For PSPs where the key itself, not the host, decides test or live (Mollie, Stripe): the
   * mode the given credentials are for (true: test), so an account's `testMode` can never
   * disagree with where its money really goes.
   */
  testModeOf?: (credentials: Record<string, unknown>) => boolean | undefined;
}

/** The mode a key's prefix decides: `test_…`-like keys are test, `live_…`-like live. */
export function modeByKeyPrefix(
  key: unknown,
  prefixes: { test: string[]; live: string[] },
): boolean | undefined {
  if (typeof key !== 'string') return undefined;
  if (prefixes.test.some((p) => key.startsWith(p))) return true;
  if (prefixes.live.some((p) => key.startsWith(p))) return false;
  return undefined;
}

/** Problems with a credentials object, as field messages, in the order of the declaration. */
export function validateCredentialFields(
  fields: readonly CredentialField[],
  credentials: Record<string, unknown>,
): FieldError[] {
  const problems: FieldError[] = [];
  for (const field of fields) {
    const value = credentials[field.name];
    const blank = typeof value !== 'string' || !value.trim();
    if (field.required && blank) {
      problems.push({ field: field.name, message: field.requiredMessage ?? 'is required' });
      continue;
    }
    // An optional credential left out is fine; one given must have its shape.
    if (value === undefined || !field.pattern) continue;
    if (typeof value !== 'string' || !new RegExp(field.pattern).test(value))
      problems.push({ field: field.name, message: field.message ?? 'has the wrong format' });
  }
  return problems;
}

/**
 * Problems with a settings object, as field messages: a declared setting with a value it does not
 * take, and a key that is neither declared nor in `common` (the settings of every account).
 */
export function validateSettingFields(
  connector: Pick<ConnectorDescription, 'settings'>,
  settings: Record<string, unknown>,
  common: readonly string[],
): FieldError[] {
  const fields = connector.settings;
  if (!fields) return [];
  const problems: FieldError[] = [];
  for (const [name, value] of Object.entries(settings)) {
    if (common.includes(name)) continue;
    const field = fields.find((f) => f.name === name);
    if (!field) {
      const known = [...fields.map((f) => f.name), ...common].join(', ');
      problems.push({ field: name, message: `is not a known setting (${known})` });
    } else if (typeof value !== 'string' || !field.values.includes(value)) {
      problems.push({ field: name, message: `must be one of ${field.values.join(', ')}` });
    }
  }
  return problems;
}

/** The credentials of each connector in words, for the Swagger description of `credentials`. */
export function describeCredentials(
  connectors: readonly { name: string; description: ConnectorDescription }[],
): string {
  return connectors
    .map(({ name, description }) => {
      const fields = description.credentials.map(
        (f) => `\`${f.name}\`${f.required ? '' : ' (optional)'}${f.secret ? ', secret' : ''}`,
      );
      return `${name}: ${fields.length ? fields.join(', ') : 'none'}`;
    })
    .join('; ');
}
