import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { randomBytes } from 'node:crypto';
import { ApiKey } from './api-key.entity';
import { Integration } from './integration.entity';
import { sha256Hex } from '../common/http/stable-json';
import { newId, ID_PREFIX } from '../common/ids/id';
import { TransactionService } from '../database/transaction.service';
import { AuditService } from '../audit/audit.service';
import { ApiKeyCache } from './api-key.cache';
import { bumpApiKeyVersion } from '../routing/routing-version';

/** API keys are random 256-bit tokens; only their SHA-256 is stored. */
@Injectable()
export class ApiKeyService {
  constructor(
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    @InjectRepository(Integration) private readonly integrations: Repository<Integration>,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    private readonly cache: ApiKeyCache,
  ) {}

  static generate(): string {
    return `psk_${randomBytes(32).toString('base64url')}`;
  }

  async authenticate(key: string): Promise<Integration | null> {
    if (key.length > 512) return null;
    // Cached, but checked against the key version on every request: a revoked key stops
    // working at once, on every instance (ApiKeyCache).
    const hash = sha256Hex(key);
    return this.cache.integrationFor(hash, () =>
      this.integrations
        .createQueryBuilder('i')
        .innerJoin(ApiKey, 'k', 'k.integrationId = i.id')
        .where('k.keyHash = :hash', { hash })
        .andWhere('k.revokedAt IS NULL')
        .getOne(),
    );
  }

  /** Stores the hash of `key` (generated when omitted) and returns the key once. */
  async create(
    integrationId: string,
    key = ApiKeyService.generate(),
  ): Promise<{ id: string; key: string }> {
    const row: ApiKey = {
      id: newId(ID_PREFIX.apiKey),
      integrationId,
      keyHash: sha256Hex(key),
      keyPrefix: key.slice(0, 8),
      createdAt: new Date(),
      revokedAt: null,
    };
    await this.tx.run(async (m) => {
      await m.insert(ApiKey, row);
      await this.audit.record(m, { targetId: row.id });
      await bumpApiKeyVersion(m);
    });
    return { id: row.id, key };
  }

  async revoke(integrationId: string, keyId: string): Promise<boolean> {
    const result = await this.tx.run(async (m) => {
      const revoked = await m.update(
        ApiKey,
        { id: keyId, integrationId, revokedAt: IsNull() },
        { revokedAt: new Date() },
      );
      if (revoked.affected) {
        await this.audit.record(m);
        await bumpApiKeyVersion(m);
      }
      return revoked;
    });
    return (result.affected ?? 0) > 0;
  }
}
