import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_KEYS, configKey, undeclaredKeys } from './config-keys';
import {
  CONFIGURATION_DOC_PATH,
  ENV_EXAMPLE_PATH,
  renderEnvExample,
  withDocsTable,
} from './config-docs';
import { loadAppConfig } from './app.config';
import { ConfigError, EnvReader } from './env-reader';

const SRC = path.resolve(__dirname, '..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [file] : [];
  });
}

const BASE_ENV = {
  NODE_ENV: 'development',
  PAYMENTSERVER_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
};

describe('configuration declaration', () => {
  it('declares each key once', () => {
    const names = CONFIG_KEYS.map((key) => key.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('.env.example is what npm run config:docs writes (run it after changing a key)', () => {
    expect(fs.readFileSync(ENV_EXAMPLE_PATH, 'utf8')).toBe(renderEnvExample());
  });

  it('the key table of docs/configuration.md is what npm run config:docs writes', () => {
    const doc = fs.readFileSync(CONFIGURATION_DOC_PATH, 'utf8');
    expect(doc).toBe(withDocsTable(doc));
  });

  it('every PAYMENTSERVER_* key that src/ mentions is declared', () => {
    const undeclared = new Set<string>();
    for (const file of sourceFiles(SRC)) {
      const text = fs.readFileSync(file, 'utf8');
      for (const [token] of text.matchAll(/PAYMENTSERVER_[A-Z0-9_]*(?:_\*|[A-Z0-9])/g)) {
        const known = token.endsWith('*')
          ? CONFIG_KEYS.some((key) => key.name.startsWith(token.slice(0, -1)))
          : CONFIG_KEYS.some((key) => key.name === token);
        if (!known) undeclared.add(`${token} (${path.relative(SRC, file)})`);
      }
    }
    expect([...undeclared]).toEqual([]);
  });

  it('every declared key is read by a loader in src/config', () => {
    const loaders = sourceFiles(__dirname)
      // The declarations themselves name every key: only the loaders count.
      .filter((file) => !/(config-(keys|docs)|\.keys)\.ts$/.test(file))
      .map((file) => fs.readFileSync(file, 'utf8'))
      .join('\n');
    const unread = CONFIG_KEYS.filter((key) => !loaders.includes(`'${key.name}'`)).map(
      (key) => key.name,
    );
    expect(unread).toEqual([]);
  });

  it.each(CONFIG_KEYS.filter((key) => key.default !== undefined).map((key) => [key.name]))(
    '%s set to its declared default loads the same configuration as unset',
    (name) => {
      const declared = loadAppConfig({ ...BASE_ENV, [name]: configKey(name).default });
      expect(declared).toEqual(loadAppConfig(BASE_ENV));
    },
  );

  it.each(CONFIG_KEYS.filter((key) => key.secret).map((key) => [key.name]))(
    '%s is secret: a bad value is refused without being echoed',
    (name) => {
      const bad = 'SECRET-VALUE';
      const env = {
        ...BASE_ENV,
        PAYMENTSERVER_DB: 'postgres',
        PAYMENTSERVER_EDITION: 'enterprise',
        PAYMENTSERVER_DB_URL: 'postgres://u:p@h/db',
        [name]: bad,
      };
      let message = '';
      try {
        loadAppConfig(env);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(new RegExp(`^Invalid configuration: ${name} `));
      expect(message).not.toContain('SECRET-VALUE');
    },
  );

  it('refuses to read a PAYMENTSERVER_* key that is not declared', () => {
    expect(() => new EnvReader({}).raw('PAYMENTSERVER_NOT_A_KEY')).toThrow(/not declared/);
  });

  it('finds the PAYMENTSERVER_* variables no key declares (misspelt ones), and only those', () => {
    expect(
      undeclaredKeys({
        PAYMENTSERVER_TESTPROVIDER: 'false',
        PAYMENTSERVER_TEST_PROVIDER: 'true',
        PAYMENTSERVER_DB: 'sqlite',
        PAYMENTSERVERPORT: '1',
        PATH: '/usr/bin',
        PAYMENTSERVER_A_TYPO: undefined,
      }),
    ).toEqual(['PAYMENTSERVER_A_TYPO', 'PAYMENTSERVER_TESTPROVIDER']);
  });
});

describe('validation from the declaration', () => {
  const integers = CONFIG_KEYS.filter((key) => key.type === 'integer');

  it.each(integers.map((key) => [key.name]))(
    '%s refuses words, fractions and values outside its bounds, naming the key',
    (name) => {
      const { min = 0, max } = configKey(name);
      const bad = ['many', '1.5', '-1', ...(max !== undefined ? [String(max + 1)] : [])];
      if (min > 0) bad.push(String(min - 1));
      for (const value of bad) {
        const read = () => new EnvReader({ [name]: value }).integer(name);
        expect(read).toThrow(ConfigError);
        expect(read).toThrow(new RegExp(`^Invalid configuration: ${name} .*\\(got "${value}"\\)$`));
      }
      expect(new EnvReader({ [name]: String(min) }).integer(name)).toBe(min);
      if (max !== undefined) expect(new EnvReader({ [name]: String(max) }).integer(name)).toBe(max);
    },
  );

  it('names the unit and the bounds in the message', () => {
    expect(() =>
      new EnvReader({ PAYMENTSERVER_IDEMPOTENCY_LEASE_SECONDS: '0' }).integer(
        'PAYMENTSERVER_IDEMPOTENCY_LEASE_SECONDS',
      ),
    ).toThrow(
      'Invalid configuration: PAYMENTSERVER_IDEMPOTENCY_LEASE_SECONDS must be a whole number of seconds from 1 to 3600 (got "0")',
    );
  });

  it('reads an integer list element by element within the declared bounds', () => {
    const name = 'PAYMENTSERVER_RECONCILE_RETRY_SCHEDULE';
    expect(new EnvReader({ [name]: '0, 5,86400' }).integerList(name)).toEqual([0, 5, 86400]);
    expect(() => new EnvReader({ [name]: '5,86401' }).integerList(name)).toThrow(
      /^Invalid configuration: PAYMENTSERVER_RECONCILE_RETRY_SCHEDULE must be a comma-separated list of whole numbers of seconds from 0 to 86400/,
    );
    expect(() =>
      new EnvReader({ PAYMENTSERVER_NOTIFICATION_RETRY_SCHEDULE: '5,0' }).integerList(
        'PAYMENTSERVER_NOTIFICATION_RETRY_SCHEDULE',
      ),
    ).toThrow(/PAYMENTSERVER_NOTIFICATION_RETRY_SCHEDULE/);
  });

  it('reads a decimal above its exclusive lower bound', () => {
    const name = 'PAYMENTSERVER_RECONCILE_ATTENTION_HOURS';
    expect(new EnvReader({ [name]: '0.25' }).decimal(name)).toBe(0.25);
    expect(new EnvReader({}).decimal(name)).toBe(24);
    expect(() => new EnvReader({ [name]: '0' }).decimal(name)).toThrow(
      'Invalid configuration: PAYMENTSERVER_RECONCILE_ATTENTION_HOURS must be a number of hours above 0 and at most 8760 (got "0")',
    );
  });

  it('refuses to read a key as another type than declared', () => {
    expect(() => new EnvReader({}).integer('PAYMENTSERVER_METRICS')).toThrow(/declared as boolean/);
  });
});
