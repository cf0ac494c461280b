import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { IdempotencyRecord } from './idempotency-record.entity';
import { TransactionService, isUniqueViolation } from '../database/transaction.service';
import { ConflictError, UnprocessableError, ValidationError } from '../common/errors/domain-error';
import { newId, ID_PREFIX } from '../common/ids/id';
import { sha256Hex, stableStringify } from '../common/http/stable-json';

export interface StoredResponse<T = unknown> {
  status: number;
  body: T;
  replayed: boolean;
}

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const CLEANUP_INTERVAL_MS = 10 * 60 * 1000;

/**
 * Idempotency-Key handling. The first request with a key inserts an in-progress record (the
 * unique index makes exactly one insert win); a repeat gets the stored response, a repeat with
 * another body gets 422, and a repeat while the first still runs gets 409. A request that
 * fails with an error releases its key so the shop can retry with it.
 */
@Injectable()
export class IdempotencyService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Idempotency');
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectRepository(IdempotencyRecord) private readonly records: Repository<IdempotencyRecord>,
    private readonly tx: TransactionService,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.purgeExpired(), CLEANUP_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  static validateKey(key: string | undefined): string | undefined {
    if (key === undefined) return undefined;
    if (key.length < 1 || key.length > 255) {
      throw ValidationError.field('Idempotency-Key', 'must be 1-255 characters');
    }
    return key;
  }

  async execute<T>(
    integrationId: string,
    scope: string,
    key: string | undefined,
    request: unknown,
    handler: () => Promise<{ status: number; body: T }>,
  ): Promise<StoredResponse<T>> {
    if (key === undefined) return { ...(await handler()), replayed: false };
    const requestHash = sha256Hex(stableStringify(request));
    const claimed = await this.claim(integrationId, scope, key, requestHash);
    if (claimed.existing) return this.replay<T>(claimed.existing, requestHash);

    let result: { status: number; body: T };
    try {
      result = await handler();
    } catch (error) {
      await this.tx.write((m) => m.delete(IdempotencyRecord, { id: claimed.id }));
      throw error;
    }
    await this.tx.write((m) =>
      m.update(
        IdempotencyRecord,
        { id: claimed.id },
        {
          state: 'completed',
          responseStatus: result.status,
          responseBody: JSON.stringify(result.body),
        },
      ),
    );
    return { ...result, replayed: false };
  }

  private async claim(
    integrationId: string,
    scope: string,
    key: string,
    requestHash: string,
  ): Promise<
    { id: string; existing?: undefined } | { id?: undefined; existing: IdempotencyRecord }
  > {
    for (let attempt = 0; attempt < 2; attempt++) {
      const now = new Date();
      const record: IdempotencyRecord = {
        id: newId(ID_PREFIX.idempotency),
        integrationId,
        scope,
        idempotencyKey: key,
        requestHash,
        state: 'in_progress',
        responseStatus: null,
        responseBody: null,
        createdAt: now,
        expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
      };
      try {
        await this.tx.write((m) => m.insert(IdempotencyRecord, record));
        return { id: record.id };
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
      const existing = await this.records.findOneBy({ integrationId, scope, idempotencyKey: key });
      if (!existing) continue; // released by a failed first request: claim again
      if (existing.expiresAt.getTime() <= Date.now()) {
        await this.tx.write((m) =>
          m.delete(IdempotencyRecord, { id: existing.id, expiresAt: LessThan(new Date()) }),
        );
        continue;
      }
      return { existing };
    }
    throw new ConflictError(
      'idempotency_key_in_use',
      'A request with this Idempotency-Key is still in progress',
    );
  }

  private replay<T>(record: IdempotencyRecord, requestHash: string): StoredResponse<T> {
    if (record.requestHash !== requestHash) {
      throw new UnprocessableError(
        'idempotency_key_reused',
        'Idempotency key reused',
        'This Idempotency-Key was used with a different request body',
      );
    }
    if (record.state !== 'completed') {
      throw new ConflictError(
        'idempotency_key_in_use',
        'A request with this Idempotency-Key is still in progress',
      );
    }
    return {
      status: record.responseStatus!,
      body: JSON.parse(record.responseBody!) as T,
      replayed: true,
    };
  }

  async purgeExpired(): Promise<number> {
    try {
      const result = await this.tx.write((m) =>
        m.delete(IdempotencyRecord, { expiresAt: LessThan(new Date()) }),
      );
      return result.affected ?? 0;
    } catch (error) {
      this.logger.warn({ msg: 'idempotency purge failed', error: (error as Error).message });
      return 0;
    }
  }
}
