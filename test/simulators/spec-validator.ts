import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Validates simulator traffic against the PSPs' own OpenAPI documents (../shared/psp-specs),
 * so a connector that drifts from the real API fails a test. The specs are reference data
 * shipped beside the repo, never copied into it.
 */
export function pspSpecsDir(): string | undefined {
  const candidates = [
    process.env.PAYMENTSERVER_PSP_SPECS,
    path.resolve(__dirname, '../../../shared/psp-specs'),
    path.resolve(process.cwd(), '../shared/psp-specs'),
    '/work/shared/psp-specs',
  ].filter((dir): dir is string => !!dir);
  const found = candidates.find(
    (dir) => existsSync(path.join(dir, 'adyen')) && existsSync(path.join(dir, 'paypal')),
  );
  if (!found && process.env.CI === 'true') {
    throw new Error(
      `PSP specifications not found (looked in ${candidates.join(', ')}); set PAYMENTSERVER_PSP_SPECS`,
    );
  }
  return found;
}

export interface SpecProblem {
  field: string;
  message: string;
}

/** One OpenAPI document; `validate('components/schemas/X', body)` lists what the PSP would reject. */
export class SpecValidator {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly file: string) {
    const document = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    // OpenAPI 3.0 schemas: `nullable`, `example`, `x-…` and `readOnly` are not JSON Schema keywords.
    // PayPal's patterns are written for non-Unicode regular expressions.
    const regExp = Object.assign(
      (pattern: string, flags: string) => {
        try {
          return new RegExp(pattern, flags);
        } catch {
          return new RegExp(pattern, flags.replace('u', ''));
        }
      },
      { code: 'new RegExp' },
    );
    this.ajv = new Ajv({
      strict: false,
      allErrors: true,
      validateFormats: true,
      logger: false,
      code: { regExp },
    });
    addFormats(this.ajv);
    for (const format of [
      'int32',
      'int64',
      'float',
      'double',
      'byte',
      'binary',
      'password',
      'ppaas_date_time_v3',
      'ppaas_common_country_code_v2',
      'ppaas_common_language_v3',
      'ppaas_payment_currency_code_v2',
      'date_no_time',
    ]) {
      this.ajv.addFormat(format, true);
    }
    this.ajv.addSchema(document, 'spec');
  }

  static load(relativePath: string): SpecValidator | undefined {
    const dir = pspSpecsDir();
    return dir ? new SpecValidator(path.join(dir, relativePath)) : undefined;
  }

  /** Compiles the schemas up front, so the first request is not slowed down by it. */
  warmUp(...pointers: string[]): void {
    for (const pointer of pointers) this.compile(pointer);
  }

  validate(pointer: string, body: unknown): SpecProblem[] {
    const check = this.compile(pointer);
    if (check(body)) return [];
    return (check.errors ?? []).map((error) => ({
      field:
        (error.instancePath || '/').replace(/^\//, '').replace(/\//g, '.') ||
        (error.params as { missingProperty?: string }).missingProperty ||
        '',
      message: `${error.message ?? 'invalid'}${(error.params as { missingProperty?: string }).missingProperty ? ` (${(error.params as { missingProperty?: string }).missingProperty})` : ''}`,
    }));
  }

  private compile(pointer: string): ValidateFunction {
    let check = this.compiled.get(pointer);
    if (!check) {
      check = this.ajv.compile({ $ref: `spec#/${pointer}` });
      this.compiled.set(pointer, check);
    }
    return check;
  }

  toString(): string {
    return `SpecValidator(${this.file})`;
  }
}
