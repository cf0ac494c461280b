import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Not, Repository } from 'typeorm';
import { Integration } from './integration.entity';
import { ApiKey } from './api-key.entity';
import { ApiKeyService } from './api-key.service';
import { CreateIntegrationDto } from './dto/create-integration.dto';
import { UpdateIntegrationDto } from './dto/update-integration.dto';
import { ListIntegrationsQuery } from './dto/list-integrations.query';
import { ProviderAccount } from '../providers/provider-account.entity';
import { Payment } from '../payments/entities/payment.entity';
import { NotificationEndpoint } from '../notifications/notification-endpoint.entity';
import { RoutingRule } from '../routing/routing-rule.entity';
import { bumpApiKeyVersion, bumpRoutingVersion } from '../routing/routing-version';
import { allowsIntegration } from '../routing/account-eligibility';
import { isUniqueViolation, TransactionService } from '../database/transaction.service';
import { AuditService } from '../audit/audit.service';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors/domain-error';
import { keysetPage } from '../common/http/keyset-page';
import { mapPage } from '../common/http/page';
import { ID_PREFIX, newId } from '../common/ids/id';
import { DEFAULT_PAGE_SIZE } from '../common/http/page.query';

export interface IntegrationWithKeys {
  integration: Integration;
  apiKeys: ApiKey[];
}

/** Reads and changes integrations (the shops using the payment API) and their API keys. */
@Injectable()
export class IntegrationsService {
  constructor(
    @InjectRepository(Integration) private readonly integrations: Repository<Integration>,
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    private readonly apiKeys: ApiKeyService,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
  ) {}

  /** The integration an OIDC client acts as, if an operator linked one. */
  async findByOidcClientId(clientId: string): Promise<Integration | null> {
    return this.integrations.findOneBy({ oidcClientId: clientId });
  }

  async list(
    query: ListIntegrationsQuery,
  ): Promise<{ data: IntegrationWithKeys[]; nextCursor: string | null }> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const qb = this.integrations.createQueryBuilder('i');
    const page = await keysetPage(qb, { cursor: query.cursor, limit, key: 'createdAt' });
    const keys = page.data.length
      ? await this.keys.find({ where: { integrationId: In(page.data.map((i) => i.id)) } })
      : [];
    return mapPage(page, (integration) => ({
      integration,
      apiKeys: keys.filter((k) => k.integrationId === integration.id),
    }));
  }

  async get(id: string): Promise<IntegrationWithKeys> {
    const integration = await this.integrations.findOneBy({ id });
    if (!integration) throw new NotFoundError('Integration', id);
    return {
      integration,
      apiKeys: await this.keys.find({ where: { integrationId: id }, order: { createdAt: 'ASC' } }),
    };
  }

  async create(dto: CreateIntegrationDto): Promise<IntegrationWithKeys> {
    const now = new Date();
    const integration: Integration = {
      id: newId(ID_PREFIX.integration),
      name: dto.name,
      defaultProviderAccountId: dto.defaultProviderAccountId ?? null,
      oidcClientId: dto.oidcClientId ?? null,
      createdAt: now,
      updatedAt: now,
    };
    await this.tx.run(async (m) => {
      // Queues behind provider-account changes, so the default's integrationIds are current.
      if (integration.defaultProviderAccountId) await bumpRoutingVersion(m);
      await this.checkReferences(m, integration);
      await nameMustBeFree(integration.name, m.insert(Integration, integration));
      await this.audit.record(m, { targetId: integration.id });
    });
    return { integration, apiKeys: [] };
  }

  async update(id: string, dto: UpdateIntegrationDto): Promise<IntegrationWithKeys> {
    await this.tx.run(async (m) => {
      const integration = await this.tx.lock(m, Integration, id);
      if (!integration) throw new NotFoundError('Integration', id);
      // Queues behind provider-account changes, so the default's integrationIds are current.
      if (dto.defaultProviderAccountId) await bumpRoutingVersion(m);
      if (dto.name !== undefined) integration.name = dto.name;
      if (dto.defaultProviderAccountId !== undefined)
        integration.defaultProviderAccountId = dto.defaultProviderAccountId;
      if (dto.oidcClientId !== undefined) integration.oidcClientId = dto.oidcClientId;
      integration.updatedAt = new Date();
      await this.checkReferences(m, integration);
      await nameMustBeFree(
        integration.name,
        m.update(
          Integration,
          { id },
          {
            name: integration.name,
            defaultProviderAccountId: integration.defaultProviderAccountId,
            oidcClientId: integration.oidcClientId,
            updatedAt: integration.updatedAt,
          },
        ),
      );
      await this.audit.record(m);
      await bumpApiKeyVersion(m); // cached integrations (ApiKeyCache) are reloaded everywhere
    });
    return this.get(id);
  }

  /** Payments keep their integration for good: one that has taken payments cannot be deleted. */
  async delete(id: string): Promise<void> {
    await this.tx.run(async (m) => {
      const integration = await this.tx.lock(m, Integration, id);
      if (!integration) throw new NotFoundError('Integration', id);
      if (await m.exists(Payment, { where: { integrationId: id } })) {
        throw new ConflictError(
          'integration_has_payments',
          `Integration ${id} has payments and cannot be deleted; revoke its API keys instead`,
        );
      }
      // What belongs to the integration goes with it: its keys, notification endpoints and rules.
      await m.delete(ApiKey, { integrationId: id });
      await m.delete(NotificationEndpoint, { integrationId: id });
      await bumpRoutingVersion(m); // queues behind rule writers, so none adds a rule for it meanwhile
      await m.delete(RoutingRule, { integrationId: id });
      // Accounts reserved for it forget it (an empty list: no integration may use the account).
      for (const account of await m.find(ProviderAccount, {
        select: { id: true, integrationIds: true },
      })) {
        if (account.integrationIds?.includes(id)) {
          await m.update(
            ProviderAccount,
            { id: account.id },
            {
              integrationIds: account.integrationIds.filter((other) => other !== id),
              updatedAt: new Date(),
            },
          );
        }
      }
      await m.delete(Integration, { id });
      await this.audit.record(m);
      await bumpApiKeyVersion(m);
    });
  }

  async createApiKey(integrationId: string): Promise<{ id: string; key: string }> {
    await this.get(integrationId);
    return this.apiKeys.create(integrationId);
  }

  async revokeApiKey(integrationId: string, keyId: string): Promise<void> {
    if (!(await this.apiKeys.revoke(integrationId, keyId)))
      throw new NotFoundError('Active API key', keyId);
  }

  private async checkReferences(m: EntityManager, integration: Integration): Promise<void> {
    if (integration.defaultProviderAccountId) {
      const account = await m.findOne(ProviderAccount, {
        select: { id: true, integrationIds: true },
        where: { id: integration.defaultProviderAccountId },
      });
      if (!account)
        throw ValidationError.field('defaultProviderAccountId', 'is not a provider account');
      if (!allowsIntegration(account, integration.id)) {
        throw ValidationError.field(
          'defaultProviderAccountId',
          `names provider account ${account.id}, which this integration may not use (its integrationIds)`,
        );
      }
    }
    // A client id must name one integration, or its tokens would act as an arbitrary one.
    if (
      integration.oidcClientId &&
      (await m.exists(Integration, {
        where: { oidcClientId: integration.oidcClientId, id: Not(integration.id) },
      }))
    ) {
      throw new ConflictError(
        'oidc_client_id_in_use',
        `OIDC client ${integration.oidcClientId} is already linked to another integration`,
      );
    }
  }
}

/**
 * The write that sets an integration's name, with the unique index's refusal as the 409 it is.
 * The index decides, not a look-up first: of two concurrent writes with one name, one wins.
 */
async function nameMustBeFree(name: string, write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw new ConflictError(
      'integration_name_in_use',
      `Another integration is already named ${JSON.stringify(name)}`,
    );
  }
}
