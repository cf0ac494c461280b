/** The shape of one key declaration and the sections the keys are listed under. */
export type ConfigKeyType =
  'string' | 'boolean' | 'integer' | 'decimal' | 'integer-list' | 'port' | 'url' | 'enum';

export interface ConfigKey {
  name: string;
  /** Heading the key is listed under in `.env.example` and the docs. */
  section: ConfigSection;
  type: ConfigKeyType;
  /** Markdown; the first sentence also goes into `.env.example`. */
  description: string;
  /**
   * The value used when the key is unset, as it would be written in the environment. Absent:
   * unset, or a default that depends on other keys (then `defaultText` says which).
   */
  default?: string;
  /** Markdown for the docs' default column when `default` alone does not say it. */
  defaultText?: string;
  /** Inclusive bounds of an integer (of each element of a list), or of a decimal. */
  min?: number;
  max?: number;
  /** Exclusive lower bound of a decimal. */
  above?: number;
  /** Unit named in error messages (`seconds`, `days`…). */
  unit?: string;
  /** The allowed values of an `enum`. */
  values?: readonly string[];
  /** A credential or key: never logged, and `.env.example` shows no example value for it. */
  secret?: boolean;
  /** Written as a commented example in `.env.example` when the key has no default. */
  example?: string;
}

export const CONFIG_SECTIONS = [
  'Listeners',
  'Database',
  'Features',
  'Logging',
  'Secrets',
  'OpenID Connect',
  'Perimeter',
  'Notifications',
  'Idempotency',
  'Routing',
  'Provider webhooks',
  'Reconciliation',
  'Retention',
] as const;
export type ConfigSection = (typeof CONFIG_SECTIONS)[number];
