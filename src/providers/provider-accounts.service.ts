import { Inject, Injectable } from '@nestjs/common';
import { validateCredentialFields, validateSettingFields } from './connector/credential-schema';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app.config';
import { SecretBox } from '../common/crypto/secret-box';
import {
  ConflictError,
  FieldError,
  NotFoundError,
  ValidationError,
} from '../common/errors/domain-error';
import { newId, ID_PREFIX } from '../common/ids/id';
import { TransactionService } from '../database/transaction.service';
import { RowStatements } from '../database/statements/row-statements';
import { Payment } from '../payments/entities/payment.entity';
import { keysetPage } from '../common/http/keyset-page';
import type {
  CreateProviderAccountDto,
  UpdateProviderAccountDto,
} from './dto/provider-account.dto';
import { ProviderAccount } from './provider-account.entity';
import { ProviderRegistry } from './provider.registry';
import { PaymentProvider, ProviderCallContext } from './provider.interface';
import { ProviderHttpClient, requestTimeoutSetting } from './provider-http.client';
import { MetricsService } from '../metrics/metrics.service';
import { Integration } from '../integrations/integration.entity';
import { RoutingRule } from '../routing/routing-rule.entity';
import { bumpRoutingVersion } from '../routing/routing-version';
import { allowsIntegration } from '../routing/account-eligibility';
import { AuditService } from '../audit/audit.service';

/** Settings every account takes, whatever its provider. */
const COMMON_SETTINGS = ['requestTimeoutMs'];

export interface ResolvedAccount {
  account: ProviderAccount;
  provider: PaymentProvider;
  context: ProviderCallContext;
}

/** Loads provider accounts and opens their credentials for one call at a time. */
@Injectable()
export class ProviderAccountsService {
  constructor(
    @InjectRepository(ProviderAccount) private readonly accounts: Repository<ProviderAccount>,
    private readonly registry: ProviderRegistry,
    private readonly secretBox: SecretBox,
    private readonly tx: TransactionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    private readonly audit: AuditService,
    private readonly rows: RowStatements,
  ) {}

  async create(dto: CreateProviderAccountDto): Promise<ProviderAccount> {
    const provider = this.registry.get(dto.provider);
    if (!provider) {
      throw ValidationError.field('provider', `must be one of ${this.registry.names().join(', ')}`);
    }
    this.checkCredentials(provider, dto.credentials);
    this.checkSettings(provider, dto.settings);
    const testMode = this.testModeFor(provider, dto.credentials, dto.testMode) ?? true;
    const now = new Date();
    const account: ProviderAccount = {
      id: newId(ID_PREFIX.providerAccount),
      provider: dto.provider,
      name: dto.name,
      credentialsSealed: this.sealCredentials(dto.credentials),
      settings: dto.settings ?? {},
      baseUrl: this.baseUrlOf(dto.baseUrl),
      integrationIds: dedupe(dto.integrationIds),
      testMode,
      enabled: dto.enabled ?? true,
      createdAt: now,
      updatedAt: now,
    };
    await this.tx.run(async (m) => {
      await this.checkIntegrations(m, account.integrationIds);
      await m.insert(ProviderAccount, account);
      await this.audit.record(m, { targetId: account.id });
    });
    return account;
  }

  async get(id: string): Promise<ProviderAccount> {
    const account = await this.find(id);
    if (!account) throw new NotFoundError('Provider account', id);
    return account;
  }

  async list(
    limit = 50,
    cursor?: string,
  ): Promise<{ data: ProviderAccount[]; nextCursor: string | null }> {
    return keysetPage(this.accounts.createQueryBuilder('a'), { cursor, limit, key: 'createdAt' });
  }

  async update(id: string, dto: UpdateProviderAccountDto): Promise<ProviderAccount> {
    return this.tx.run(async (m) => {
      // First write: queues behind rule writers and integration default changes (the checks
      // below then see their result), and makes every instance drop its routing cache.
      await bumpRoutingVersion(m);
      const account = await m.findOneBy(ProviderAccount, { id });
      if (!account) throw new NotFoundError('Provider account', id);
      const changes: Partial<ProviderAccount> = { updatedAt: new Date() };
      if (dto.baseUrl !== undefined) {
        const baseUrl = this.baseUrlOf(dto.baseUrl);
        // Credentials follow the host: a new host must not receive the old host's secrets.
        if (baseUrl !== account.baseUrl) {
          if (dto.credentials === undefined) {
            throw ValidationError.field(
              'credentials',
              'are required when baseUrl changes (the stored ones are never sent to a new host)',
            );
          }
          changes.baseUrl = baseUrl;
        }
      }
      const provider = this.registry.get(account.provider);
      if (dto.credentials !== undefined) {
        if (provider) this.checkCredentials(provider, dto.credentials);
        changes.credentialsSealed = this.sealCredentials(dto.credentials);
      }
      if (provider && (dto.credentials !== undefined || dto.testMode !== undefined)) {
        const credentials =
          dto.credentials ??
          (JSON.parse(this.secretBox.open(account.credentialsSealed)) as Record<string, unknown>);
        const testMode = this.testModeFor(provider, credentials, dto.testMode);
        if (testMode !== undefined && testMode !== account.testMode) changes.testMode = testMode;
      }
      if (dto.name !== undefined) changes.name = dto.name;
      if (dto.settings !== undefined) {
        this.checkSettings(provider, dto.settings);
        changes.settings = dto.settings;
      }
      if (dto.integrationIds !== undefined) {
        changes.integrationIds = dedupe(dto.integrationIds);
        await this.checkIntegrations(m, changes.integrationIds);
        await this.refuseNarrowingInUse(m, account, changes.integrationIds);
      }
      if (dto.testMode !== undefined && changes.testMode === undefined)
        changes.testMode = dto.testMode;
      if (dto.enabled !== undefined) changes.enabled = dto.enabled;
      await m.update(ProviderAccount, { id }, changes);
      await this.audit.record(m, {
        changedFields: Object.keys(changes)
          .filter((name) => name !== 'updatedAt')
          .map((name) => (name === 'credentialsSealed' ? 'credentials' : name)),
      });
      return Object.assign(account, changes);
    });
  }

  /** Accounts that have taken payments stay (refunds need them): disable those instead. */
  async remove(id: string): Promise<void> {
    await this.get(id);
    await this.tx.run(async (m) => {
      await bumpRoutingVersion(m);
      if (await m.existsBy(Payment, { providerAccountId: id })) {
        throw new ConflictError(
          'provider_account_in_use',
          'This account has payments; disable it instead (PATCH enabled=false)',
        );
      }
      await m.delete(ProviderAccount, { id });
      await this.audit.record(m);
    });
  }

  /** Normalised; in production only https (credentials must not cross the network in clear). */
  private baseUrlOf(value: string | null | undefined): string | null {
    if (value === undefined || value === null) return null;
    if (this.config.server.production && new URL(value).protocol !== 'https:') {
      throw ValidationError.field('baseUrl', 'must be an https URL in production');
    }
    return value.replace(/\/+$/, '');
  }

  private async checkIntegrations(
    m: EntityManager,
    integrationIds: string[] | null,
  ): Promise<void> {
    if (!integrationIds || integrationIds.length === 0) return;
    const known = new Set(
      (await m.find(Integration, { select: { id: true }, where: { id: In(integrationIds) } })).map(
        (i) => i.id,
      ),
    );
    const errors: FieldError[] = [];
    integrationIds.forEach((id, i) => {
      if (!known.has(id))
        errors.push({ field: `integrationIds[${i}]`, message: 'is not an integration' });
    });
    if (errors.length > 0) throw new ValidationError(errors);
  }

  /**
   * An account may not be taken from an integration whose rules or default still send payments
   * to it: the operator changes those first. The caller holds the routing version lock.
   */
  private async refuseNarrowingInUse(
    m: EntityManager,
    account: ProviderAccount,
    next: string[] | null,
  ): Promise<void> {
    if (next === null) return;
    const allowed = { ...account, integrationIds: next };
    const references: string[] = [];
    for (const rule of await m.find(RoutingRule, { order: { priority: 'ASC', id: 'ASC' } })) {
      const fields = [
        ...rule.targets.map((t, i) =>
          t.providerAccountId === account.id ? `targets[${i}]` : null,
        ),
        ...rule.fallback.map((accountId, i) =>
          accountId === account.id ? `fallback[${i}]` : null,
        ),
      ].filter((field): field is string => field !== null);
      if (fields.length === 0) continue;
      if (rule.integrationId === null || !allowsIntegration(allowed, rule.integrationId)) {
        references.push(
          `routing rule ${rule.id} ("${rule.name}", ${rule.integrationId ? `integration ${rule.integrationId}` : 'every integration'}) in ${fields.join(', ')}`,
        );
      }
    }
    for (const integration of await m.find(Integration, {
      where: { defaultProviderAccountId: account.id },
      order: { id: 'ASC' },
    })) {
      if (!allowsIntegration(allowed, integration.id))
        references.push(`integration ${integration.id} as its defaultProviderAccountId`);
    }
    if (references.length > 0) {
      throw new ConflictError(
        'provider_account_in_use',
        `integrationIds would take provider account ${account.id} from integrations that still use it: ${references.join('; ')}. Change those first.`,
      );
    }
  }

  /** The settings every account has, then the ones the connector declares (its description). */
  private checkSettings(
    provider: Pick<PaymentProvider, 'description'> | undefined,
    settings: Record<string, unknown> | undefined,
  ): void {
    if (!settings) return;
    const problems: FieldError[] = [];
    if (settings.requestTimeoutMs !== undefined && requestTimeoutSetting(settings) === undefined) {
      problems.push({
        field: 'requestTimeoutMs',
        message: 'must be an integer from 100 to 60000 (milliseconds)',
      });
    }
    if (provider)
      problems.push(...validateSettingFields(provider.description, settings, COMMON_SETTINGS));
    if (problems.length > 0) {
      throw new ValidationError(
        problems.map((p) => ({ field: `settings.${p.field}`, message: p.message })),
      );
    }
  }

  /**
   * The account's mode: where the key decides it (Mollie, Stripe), the key's, and a `testMode`
   * that says otherwise is refused (a live key must never be taken for a test account);
   * elsewhere the requested one.
   */
  private testModeFor(
    provider: Pick<PaymentProvider, 'description'>,
    credentials: Record<string, unknown>,
    requested: boolean | undefined,
  ): boolean | undefined {
    const keyMode = provider.description.testModeOf?.(credentials);
    if (keyMode === undefined || requested === undefined || requested === keyMode)
      return keyMode ?? requested;
    throw ValidationError.field(
      'testMode',
      keyMode
        ? `must be true: the ${provider.description.label} key is a test key`
        : `must be false: the ${provider.description.label} key is a live key and moves real money`,
    );
  }

  private checkCredentials(
    provider: Pick<PaymentProvider, 'description'>,
    credentials: Record<string, unknown>,
  ): void {
    const problems = validateCredentialFields(provider.description.credentials, credentials);
    if (problems.length > 0) {
      throw new ValidationError(
        problems.map((p) => ({ field: `credentials.${p.field}`, message: p.message })),
      );
    }
  }

  toView(account: ProviderAccount) {
    return {
      id: account.id,
      provider: account.provider,
      name: account.name,
      settings: account.settings ?? {},
      baseUrl: account.baseUrl,
      integrationIds: account.integrationIds ?? null,
      testMode: account.testMode,
      enabled: account.enabled,
      webhookUrl: this.webhookUrl(account),
      createdAt: account.createdAt.toISOString(),
      updatedAt: account.updatedAt.toISOString(),
    };
  }

  webhookUrl(account: Pick<ProviderAccount, 'id' | 'provider'>): string {
    return `${this.config.server.publicUrl}/webhooks/${account.provider}/${account.id}`;
  }

  /** Read on every webhook and operation: a prepared statement, not a built query. */
  async find(id: string): Promise<ProviderAccount | null> {
    return this.rows.findOne(ProviderAccount, { id });
  }

  async resolve(id: string): Promise<ResolvedAccount> {
    const account = await this.find(id);
    if (!account) throw new NotFoundError('Provider account', id);
    return this.resolveAccount(account);
  }

  providerOf(account: Pick<ProviderAccount, 'provider'>): PaymentProvider | undefined {
    return this.registry.get(account.provider);
  }

  /** `deadline` (epoch ms) caps every HTTP call of this context, e.g. routing's overall time budget. */
  resolveAccount(account: ProviderAccount, limits: { deadline?: number } = {}): ResolvedAccount {
    const provider = this.registry.get(account.provider);
    if (!provider) throw new NotFoundError('Provider', account.provider);
    const credentials = JSON.parse(
      this.secretBox.openRemembered(account.credentialsSealed),
    ) as Record<string, string>;
    // The account's own setting (a slow sandbox) wins over the server-wide default.
    const timeoutMs =
      requestTimeoutSetting(account.settings) ?? this.config.routing.providerTimeoutMs;
    return {
      account,
      provider,
      context: {
        account: {
          id: account.id,
          provider: account.provider,
          credentials,
          settings: account.settings ?? {},
          baseUrl: account.baseUrl,
          testMode: account.testMode,
        },
        webhookUrl: this.webhookUrl(account),
        http: new ProviderHttpClient(
          account.provider,
          account.id,
          { timeoutMs, deadline: limits.deadline },
          this.metrics.providerRequestDuration,
        ),
        timeoutMs:
          limits.deadline === undefined
            ? timeoutMs
            : Math.max(1, Math.min(timeoutMs, limits.deadline - Date.now())),
      },
    };
  }

  sealCredentials(credentials: Record<string, unknown>): string {
    return this.secretBox.seal(JSON.stringify(credentials));
  }
}

function dedupe(ids: string[] | null | undefined): string[] | null {
  return ids === undefined || ids === null ? null : [...new Set(ids)];
}
