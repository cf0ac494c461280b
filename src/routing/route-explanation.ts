import type { RoutingAttemptRecord } from '../payments/entities/payment.entity';
import type { RouteCandidate, RouteDecision } from './routing.types';

/** The decision's reason plus what happened: which account took the payment, after which failures. */
export function explainRoute(
  decision: RouteDecision,
  attempts: RoutingAttemptRecord[],
  winner?: RouteCandidate,
): string {
  const passedOver = attempts
    .filter((a) => a.outcome !== 'succeeded')
    .map(
      (a) =>
        `${a.providerAccountId} ${a.outcome === 'skipped' ? 'was skipped' : a.outcome} (${shortError(a.error)})`,
    );
  if (winner) {
    const first =
      decision.candidates[0]?.account.id === winner.account.id && passedOver.length === 0;
    if (first) return decision.reason;
    return `${decision.reason}; ${passedOver.join(', ')}, so ${winner.role} ${winner.account.id} took the payment`;
  }
  const declined = attempts.some((a) => a.outcome === 'declined');
  return `${decision.reason}; no account took the payment: ${passedOver.join(', ')}${declined ? '; a decline is final and is not retried elsewhere' : ''}`;
}

function shortError(error: string | undefined): string {
  if (!error) return 'no reason given';
  const code = /^([a-z_]+):/.exec(error)?.[1];
  return code ?? error;
}
