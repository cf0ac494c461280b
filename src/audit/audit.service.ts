import { HttpException, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, EntityManager, Repository } from 'typeorm';
import { TransactionService } from '../database/transaction.service';
import { DomainError } from '../common/errors/domain-error';
import { newId } from '../common/ids/id';
import { keysetPage } from '../common/http/keyset-page';
import { DEFAULT_PAGE_SIZE } from '../common/http/page.query';
import type { Page } from '../common/http/page';
import { queryInstant } from '../common/time/query-instant';
import { AuditEvent, AuditOutcome } from './audit-event.entity';
import { AuditRequest, currentAuditRequest } from './audit.context';
import type { ListAuditEventsQuery } from './dto/audit-event.dto';

export const AUDIT_ID_PREFIX = 'aud';

/** What a service knows better than the route: the new target's id, the fields really set. */
export interface AuditDetails {
  targetId?: string;
  changedFields?: string[];
}

function toRow(request: AuditRequest, outcome: AuditOutcome, failureCode: string | null) {
  return {
    id: request.eventId ?? newId(AUDIT_ID_PREFIX),
    at: new Date(),
    actorSub: request.actor.sub?.slice(0, 255) ?? null,
    actorClientId: request.actor.clientId?.slice(0, 255) ?? null,
    actorIp: request.actor.ip?.slice(0, 64) ?? null,
    action: request.action.slice(0, 64),
    targetType: request.targetType.slice(0, 64),
    targetId: request.targetId,
    outcome,
    failureCode,
    changedFields: request.changedFields,
    correlationId: request.correlationId?.slice(0, 128) ?? null,
  } satisfies AuditEvent;
}

/** The problem `code` an error becomes (see ProblemDetailsFilter). */
export function failureCodeOf(error: unknown): string {
  if (error instanceof DomainError) return error.code;
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return status === 400 ? 'bad_request' : `http_${status}`;
  }
  return 'internal_error';
}

/**
 * The audit log. A service calls `record` with the EntityManager of the transaction that makes
 * the change, so the row commits or rolls back with it; the interceptor around admin writes
 * supplies who and what (through `currentAuditRequest`) and records failures. Outside an audited
 * admin request (shop API, background jobs) `record` does nothing.
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('Audit');

  constructor(
    @InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>,
    private readonly tx: TransactionService,
  ) {}

  /** The current admin request's row, in the caller's transaction (once per request). */
  async record(m: EntityManager, details: AuditDetails = {}): Promise<void> {
    const request = currentAuditRequest();
    if (!request) return;
    if (details.targetId) request.targetId = details.targetId;
    if (details.changedFields) request.changedFields = [...details.changedFields].sort();
    // A second transaction of the same request: the first one's row stands, unless it rolled back.
    if (request.eventId && (await m.existsBy(AuditEvent, { id: request.eventId }))) return;
    const row = toRow(request, 'succeeded', null);
    request.eventId = row.id;
    await m.insert(AuditEvent, row);
  }

  /**
   * After the handler succeeded: a route whose service wrote no row in its transaction (an
   * idempotent replay, a route not wired yet) still leaves one, written on its own.
   */
  async succeeded(request: AuditRequest): Promise<void> {
    if (request.eventId) return;
    const row = toRow(request, 'succeeded', null);
    request.eventId = row.id;
    await this.safely(() => this.tx.write((m) => m.insert(AuditEvent, row)), request);
  }

  /**
   * A refused or failed attempt, written on its own. A row its transaction already committed
   * (the change happened, then the provider refused) turns failed instead of gaining a twin.
   */
  async failed(request: AuditRequest, code: string): Promise<void> {
    const failureCode = code.slice(0, 64);
    await this.safely(
      () =>
        this.tx.write(async (m) => {
          if (request.eventId) {
            const updated = await m.update(
              AuditEvent,
              { id: request.eventId },
              { outcome: 'failed', failureCode },
            );
            if (updated.affected) return;
          }
          const row = toRow(request, 'failed', failureCode);
          request.eventId = row.id;
          await m.insert(AuditEvent, row);
        }),
      request,
    );
  }

  /** Newest first, keyset-paged on (at, id). */
  async list(query: ListAuditEventsQuery): Promise<Page<AuditEvent>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const qb = this.events.createQueryBuilder('e');
    if (query.actor) {
      qb.andWhere(
        new Brackets((w) =>
          w
            .where('e.actorSub = :actor', { actor: query.actor })
            .orWhere('e.actorClientId = :actor', { actor: query.actor }),
        ),
      );
    }
    if (query.action) {
      // `provider_account` matches every provider_account.* action; a full name matches itself.
      if (query.action.includes('.')) qb.andWhere('e.action = :action', { action: query.action });
      else qb.andWhere('e.action LIKE :prefix', { prefix: `${query.action}.%` });
    }
    if (query.targetType)
      qb.andWhere('e.targetType = :targetType', { targetType: query.targetType });
    if (query.targetId) qb.andWhere('e.targetId = :targetId', { targetId: query.targetId });
    if (query.outcome) qb.andWhere('e.outcome = :outcome', { outcome: query.outcome });
    if (query.from) qb.andWhere('e.at >= :from', { from: queryInstant('from', query.from) });
    if (query.to) qb.andWhere('e.at < :to', { to: queryInstant('to', query.to) });
    return keysetPage(qb, { cursor: query.cursor, limit, key: 'at' });
  }

  /** The audit write must not replace the answer the caller is owed; it is logged instead. */
  private async safely(write: () => Promise<unknown>, request: AuditRequest): Promise<void> {
    try {
      await write();
    } catch (error) {
      this.logger.error({
        msg: 'audit event not written',
        action: request.action,
        targetId: request.targetId,
        correlationId: request.correlationId,
        error: (error as Error).message,
      });
    }
  }
}
