import { randomBytes } from 'node:crypto';
import { EntityManager, IsNull, LessThan } from 'typeorm';
import type { PaymentOperation } from '../entities/payment-operation.entity';
import type { Refund } from '../entities/refund.entity';

/**
 * How long one instance holds an open operation: longer than the few provider calls one look
 * makes (each bounded by the provider timeout), short enough that a crashed instance's work is
 * taken over soon. The API request that sends an operation first holds it the same way.
 */
export const OPERATION_LEASE_MS = 5 * 60_000;

export function newLeaseToken(): string {
  return randomBytes(16).toString('hex');
}

type Leased = typeof Refund | typeof PaymentOperation;

/**
 * Takes a pending operation for this token with a conditional UPDATE: only a row whose lease is
 * free or has run out is taken, so two instances never work on (and re-send) the same one.
 */
export async function claimOperation(
  manager: EntityManager,
  entity: Leased,
  id: string,
  token: string,
  now = new Date(),
): Promise<boolean> {
  const lease = { leaseToken: token, leaseExpiresAt: new Date(now.getTime() + OPERATION_LEASE_MS) };
  const free = await manager.update(
    entity,
    { id, status: 'pending', leaseExpiresAt: IsNull() },
    lease,
  );
  if (free.affected === 1) return true;
  const expired = await manager.update(
    entity,
    { id, status: 'pending', leaseExpiresAt: LessThan(now) },
    lease,
  );
  return expired.affected === 1;
}

/** Gives the operation back, if this token still holds it. */
export async function releaseOperation(
  manager: EntityManager,
  entity: Leased,
  id: string,
  token: string,
): Promise<void> {
  await manager.update(
    entity,
    { id, leaseToken: token },
    { leaseToken: null, leaseExpiresAt: null },
  );
}
