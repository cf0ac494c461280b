import type { TrackedOperationColumns } from '../entities/tracked-operation.columns';
import { OPERATION_LEASE_MS } from './operation-lease';

/**
 * Where a capture, cancel or refund stands with its provider while it is `pending`:
 * - sending: the request is (or was, if the process died) on its way; no answer yet;
 * - unknown: the answer was lost (timeout, reset, 5xx, 429): it may or may not have been done;
 * - accepted: the provider took it; its final outcome follows (webhook or poll).
 */
export const OPERATION_STAGES = ['sending', 'unknown', 'accepted'] as const;
export type OperationStage = (typeof OPERATION_STAGES)[number];

/** The columns that let a pending operation be settled later, by any instance. */
export interface OperationTracking {
  stage: OperationStage | null;
  /** Sent as the provider's idempotency key on the first attempt and every retry. */
  providerIdempotencyKey: string | null;
  attempts: number;
  /** When the reconciler looks at it next (lookup, re-send or poll). */
  nextAttemptAt: Date | null;
  lastError: string | null;
  /** Held by the instance working on it (the API request or a reconciler run). */
  leaseToken: string | null;
  leaseExpiresAt: Date | null;
}

/** A new operation about to be sent: held by the request sending it, its id its provider key. */
export function sendingFirst(id: string, leaseToken: string, now: Date): TrackedOperationColumns {
  return {
    ...untracked(now),
    stage: 'sending',
    // One key per operation, never per payment: a refused capture may be followed by another.
    providerIdempotencyKey: id,
    nextAttemptAt: now,
    leaseToken,
    leaseExpiresAt: new Date(now.getTime() + OPERATION_LEASE_MS),
  };
}

/** For a row nothing is sent for (a refund made in the PSP's own dashboard). */
export function untracked(now: Date): TrackedOperationColumns {
  return {
    failureCode: null,
    failureMessage: null,
    stage: null,
    providerIdempotencyKey: null,
    attempts: 0,
    nextAttemptAt: null,
    lastError: null,
    leaseToken: null,
    leaseExpiresAt: null,
    createdAt: now,
    updatedAt: now,
  };
}
