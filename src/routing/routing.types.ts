import type { ProviderAccount } from '../providers/provider-account.entity';
import type { UnprocessableError } from '../common/errors/domain-error';
import type { RoutingAttemptRecord } from '../payments/entities/payment.entity';
import type { PaymentMethod } from '../domain/payment-status';

export interface RoutingRequest {
  currency: string;
  amount: number;
  method: PaymentMethod | null;
  captureMode: string;
  country: string | null;
  email: string | null;
  reference: string;
  metadata: Record<string, string> | null;
  providerAccountId?: string;
}

export interface RouteCandidate {
  account: ProviderAccount;
  /** Why the account is on the list, in words: "target", "fallback #1", "the integration's default account". */
  role: string;
}

export interface RouteDecision {
  ruleId: string | null;
  /** Which rule matched and why the first candidate was chosen; `explain` adds what happened. */
  reason: string;
  /** Accounts to try, in order. */
  candidates: RouteCandidate[];
  /** Accounts passed over before any call, with why. */
  skipped: RoutingAttemptRecord[];
  /** Epoch ms: no provider call starts after this, and none runs past it. */
  deadline: number;
}

export type CandidateRole = 'target' | 'fallback' | 'default';

/** One account the decision looked at, and whether a payment with these values could go there. */
export interface CandidateVerdict {
  providerAccountId: string;
  /** null when the account no longer exists. */
  provider: string | null;
  role: CandidateRole;
  /** The role in words, as recorded on the payment: "target", "fallback #1", "requested", … */
  label: string;
  eligible: boolean;
  why: string;
  /** Eligible but for an open circuit: a real create still lists it (the attempt records the skip). */
  circuitOpen: boolean;
  /** False for targets the weighted split did not choose and for repeated accounts: never tried. */
  considered: boolean;
  account?: ProviderAccount;
}

/**
 * The routing decision with its explanation. A real create tries the eligible (and circuit-open)
 * candidates in order; the simulation shows all of them.
 */
export interface RoutingPlan {
  ruleId: string | null;
  reason: string;
  candidates: CandidateVerdict[];
  /** What a create answers instead of a payment (422 no_route, not allowed, not supported), or null. */
  refusal: UnprocessableError | null;
}
