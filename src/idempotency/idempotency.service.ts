import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { IsNull, LessThan, Repository } from 'typeorm';
import { IdempotencyRecord } from './idempotency-record.entity';
import {
  isDatabaseUnavailable,
  isUniqueViolation,
  TransactionService,
} from '../database/transaction.service';
import { RowStatements } from '../database/statements/row-statements';
import {
  ConflictError,
  DomainError,
  UnprocessableError,
  ValidationError,
} from '../common/errors/domain-error';
import { problem, ProblemDetails } from '../common/errors/problem-details.filter';
import { newId, ID_PREFIX } from '../common/ids/id';
import { sha256Hex, stableStringify } from '../common/http/stable-json';
import { APP_CONFIG, AppConfig } from '../config/app.config';

export interface StoredResponse<T = unknown> {
  status: number;
  /** The handler's body, or (status ≥ 400, replayed) the problem+json body stored for its error. */
  body: T;
  replayed: boolean;
}

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

interface Claim {
  id: string;
  /** This request's lease token; every write to the record is conditional on still holding it. */
  owner: string;
}

/**
 * What HTTP carries in a header value (RFC 9110, section 5.5): printable ASCII, space, tab and
 * the bytes 0x80-0xFF, which Node reads as Latin-1. Node refuses the rest before we see it; any
 * other caller is held to the same, so no two keys hash alike (a lone surrogate would hash as
 * U+FFFD).
 */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]+$/;

function inUse(): ConflictError {
  return new ConflictError(
    'idempotency_key_in_use',
    'A request with this Idempotency-Key is still in progress',
  );
}

/**
 * Idempotency-Key handling, with Stripe's semantics. The first request with a key inserts an
 * in-progress record (the unique index makes exactly one insert win) holding a lease that it
 * renews while it runs. What the handler produces, a success or an error (4xx/5xx), is stored
 * and replayed to every repeat; only validation errors (400) release the key, since nothing was
 * done. A repeat with another body gets 422, a repeat while the first still runs 409. A request
 * that died (crash, kill) stops renewing: after its lease the next request with the key takes
 * it over, by swapping the lease token, so exactly one of several contenders wins.
 */
@Injectable()
export class IdempotencyService {
  private readonly logger = new Logger('Idempotency');
  private readonly leaseMs: number;

  constructor(
    @InjectRepository(IdempotencyRecord) private readonly records: Repository<IdempotencyRecord>,
    private readonly tx: TransactionService,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'idempotency'>,
    private readonly rows: RowStatements,
  ) {
    this.leaseMs = config.idempotency.leaseSeconds * 1000;
  }

  /**
   * One request as its effects remember it (a refund's `requestKey`): the integration, the key
   * and the body, hashed. A retry of the same request has the same one, whatever became of the
   * key's stored answer. It hashes the key itself, as it did before keys were stored as digests,
   * so refunds made before that still match their retries; lowercase hex compares exactly.
   */
  static requestKey(
    integrationId: string,
    key: string | undefined,
    body: unknown,
  ): string | undefined {
    return key === undefined ? undefined : sha256Hex(stableStringify({ integrationId, key, body }));
  }

  static validateKey(key: string | undefined): string | undefined {
    if (key === undefined) return undefined;
    if (key.length < 1 || key.length > 255) {
      throw ValidationError.field('Idempotency-Key', 'must be 1-255 characters');
    }
    if (!HEADER_VALUE.test(key)) {
      throw ValidationError.field(
        'Idempotency-Key',
        'must contain only printable ASCII, spaces, tabs and Latin-1 characters',
      );
    }
    return key;
  }

  /**
   * What the unique index holds for a key: its SHA-256 in lowercase hex. Keys are opaque and
   * compared exactly, and a digest compares alike under every collation. Migration
   * 1764610000000-IdempotencyKeyDigest stored the keys kept before in this same form: a change
   * here needs a migration.
   */
  static keyDigest(key: string): string {
    return sha256Hex(key);
  }

  /**
   * Runs `handler` once per key. A handler error is thrown as is on the first run (the filter
   * renders it, with `correlationId`, exactly as stored) and replayed as its stored problem body.
   */
  async execute<T>(
    integrationId: string,
    scope: string,
    key: string | undefined,
    request: unknown,
    handler: () => Promise<{ status: number; body: T }>,
    correlationId?: string,
  ): Promise<StoredResponse<T>> {
    if (key === undefined) return { ...(await handler()), replayed: false };
    const requestHash = sha256Hex(stableStringify(request));
    const claimed = await this.claim(
      integrationId,
      scope,
      IdempotencyService.keyDigest(key),
      requestHash,
    );
    if ('existing' in claimed) return this.replay<T>(claimed.existing);

    const renewal = setInterval(
      () => void this.renew(claimed),
      Math.max(100, Math.floor(this.leaseMs / 3)),
    );
    renewal.unref();
    let result: { status: number; body: T };
    try {
      result = await handler();
    } catch (error) {
      clearInterval(renewal);
      const stored = storedError(error, correlationId);
      if (stored) await this.complete(claimed, stored.status, stored);
      else await this.release(claimed);
      throw error;
    }
    clearInterval(renewal);
    await this.complete(claimed, result.status, result.body);
    return { ...result, replayed: false };
  }

  private async claim(
    integrationId: string,
    scope: string,
    keyDigest: string,
    requestHash: string,
  ): Promise<Claim | { existing: IdempotencyRecord }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = new Date();
      const owner = randomBytes(16).toString('hex');
      const record: IdempotencyRecord = {
        id: newId(ID_PREFIX.idempotency),
        integrationId,
        scope,
        keyDigest,
        requestHash,
        state: 'in_progress',
        responseStatus: null,
        responseBody: null,
        leaseOwner: owner,
        leaseExpiresAt: new Date(now.getTime() + this.leaseMs),
        createdAt: now,
        expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
      };
      try {
        await this.tx.write((m) => this.rows.insert(m, IdempotencyRecord, record));
        return { id: record.id, owner };
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
      const existing = await this.records.findOneBy({ integrationId, scope, keyDigest });
      if (!existing) continue; // released by a request that failed validation: claim again
      if (existing.expiresAt.getTime() <= now.getTime()) {
        await this.tx.write((m) =>
          m.delete(IdempotencyRecord, { id: existing.id, expiresAt: LessThan(new Date()) }),
        );
        continue;
      }
      if (existing.requestHash !== requestHash) {
        throw new UnprocessableError(
          'idempotency_key_reused',
          'Idempotency key reused',
          'This Idempotency-Key was used with a different request body',
        );
      }
      if (existing.state === 'completed') return { existing };
      if (existing.leaseExpiresAt && existing.leaseExpiresAt.getTime() > now.getTime())
        throw inUse();
      // The holder stopped renewing (it died). Swapping its token is atomic: one contender wins.
      const taken = await this.tx.write((m) =>
        m.update(
          IdempotencyRecord,
          { id: existing.id, state: 'in_progress', leaseOwner: existing.leaseOwner ?? IsNull() },
          {
            leaseOwner: owner,
            leaseExpiresAt: new Date(now.getTime() + this.leaseMs),
            expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
          },
        ),
      );
      if (taken.affected === 1) {
        this.logger.warn({
          msg: 'idempotency key taken over after its lease ran out',
          scope,
          recordId: existing.id,
        });
        return { id: existing.id, owner };
      }
    }
    throw inUse();
  }

  private replay<T>(record: IdempotencyRecord): StoredResponse<T> {
    return {
      status: record.responseStatus!,
      body: JSON.parse(record.responseBody!) as T,
      replayed: true,
    };
  }

  /** Extends the lease while the handler runs; a crashed process renews nothing. */
  private async renew(claim: Claim): Promise<void> {
    try {
      const changed = await this.tx.write((m) =>
        this.rows.update(
          m,
          IdempotencyRecord,
          claim.id,
          { leaseExpiresAt: new Date(Date.now() + this.leaseMs) },
          { leaseOwner: claim.owner, state: 'in_progress' },
        ),
      );
      if (changed === 0)
        this.logger.warn({
          msg: 'idempotency lease lost while the request still runs',
          recordId: claim.id,
        });
    } catch (error) {
      this.logger.warn({
        msg: 'idempotency lease renewal failed',
        recordId: claim.id,
        error: (error as Error).message,
      });
    }
  }

  /**
   * Stores the response for replay. If that fails (database gone) the caller still gets its
   * answer; the key comes free after the lease.
   */
  private async complete(claim: Claim, status: number, body: unknown): Promise<void> {
    try {
      const changed = await this.tx.write((m) =>
        this.rows.update(
          m,
          IdempotencyRecord,
          claim.id,
          {
            state: 'completed',
            responseStatus: status,
            responseBody: JSON.stringify(body),
            leaseOwner: null,
            leaseExpiresAt: null,
          },
          { leaseOwner: claim.owner },
        ),
      );
      if (changed === 0)
        this.logger.warn({
          msg: 'idempotency response not stored: the lease was taken over',
          recordId: claim.id,
          status,
        });
    } catch (error) {
      this.logger.error({
        msg: 'idempotency response not stored',
        recordId: claim.id,
        status,
        error: (error as Error).message,
      });
    }
  }

  private async release(claim: Claim): Promise<void> {
    try {
      await this.tx.write((m) =>
        m.delete(IdempotencyRecord, { id: claim.id, leaseOwner: claim.owner }),
      );
    } catch (error) {
      this.logger.warn({
        msg: 'idempotency key not released; it comes free after the lease',
        recordId: claim.id,
        error: (error as Error).message,
      });
    }
  }

  /** Deletes keys past their 24 hours (called by the retention job); `now` is for tests. */
  async purgeExpired(now = new Date()): Promise<number> {
    try {
      const result = await this.tx.write((m) =>
        m.delete(IdempotencyRecord, { expiresAt: LessThan(now) }),
      );
      return result.affected ?? 0;
    } catch (error) {
      this.logger.warn({ msg: 'idempotency purge failed', error: (error as Error).message });
      return 0;
    }
  }
}

/**
 * The problem body the exception filter sends for a handler error, to store; undefined for a
 * validation error (400: nothing was done, the key is released), for HTTP exceptions, which
 * services never throw, and for a busy or unreachable database (503 "retry in a moment": a
 * stored answer would refuse that retry for a day). A retry then runs the handler again, as a
 * takeover after a crash would: what it committed before the failure (a pending payment, a
 * capture recorded before its provider call) is found again, and no second capture, cancel
 * or refund is sent while one is pending.
 */
function storedError(
  error: unknown,
  correlationId: string | undefined,
): ProblemDetails | undefined {
  let body: ProblemDetails;
  if (error instanceof ValidationError || isDatabaseUnavailable(error)) return undefined;
  if (error instanceof DomainError) {
    body = problem(error.status, error.code, error.title, error.message, error.errors);
  } else if ((error as { getStatus?: unknown })?.getStatus !== undefined) {
    return undefined;
  } else {
    body = problem(500, 'internal_error', 'Internal server error', 'An unexpected error occurred');
  }
  if (correlationId !== undefined) body.correlationId = correlationId;
  return body;
}
