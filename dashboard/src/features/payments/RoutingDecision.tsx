import { Anchor, List, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { Payment } from '../../api/types';

const OUTCOME: Record<string, string> = {
  succeeded: 'took the payment',
  declined: 'declined it (final: not retried elsewhere)',
  failed: 'failed',
  skipped: 'was skipped',
};

/** The server's reason as a sentence. */
function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return 'No reason was recorded.';
  return `${trimmed[0]!.toUpperCase()}${trimmed.slice(1)}${/[.!?]$/.test(trimmed) ? '' : '.'}`;
}

/** Why the payment went where it went: the server's reason, the rule, and every account tried. */
export function RoutingDecision({
  payment,
  accountNames,
  ruleNames,
}: {
  payment: Payment;
  accountNames: Map<string, string>;
  ruleNames: Map<string, string>;
}) {
  const routing = payment.routing;
  if (!routing) return <Text size="sm">No routing decision was recorded.</Text>;
  const account = (id: string) => accountNames.get(id) ?? id;
  return (
    <>
      <Text size="sm">
        {routing.ruleId ? (
          <>
            Rule{' '}
            <Anchor component={Link} to={`/routing#${routing.ruleId}`}>
              {ruleNames.get(routing.ruleId) ?? routing.ruleId}
            </Anchor>
            :{' '}
          </>
        ) : null}
        {sentence(routing.reason)}
      </Text>
      {routing.attempts.length > 0 ? (
        <List size="sm" type="ordered" mt="xs" spacing={2}>
          {routing.attempts.map((attempt, index) => (
            <List.Item key={index}>
              {account(attempt.providerAccountId)} {OUTCOME[attempt.outcome] ?? attempt.outcome}
              {attempt.error ? `: ${attempt.error}` : ''}
              {attempt.outcome === 'failed' && index < routing.attempts.length - 1
                ? ', so the next account was tried'
                : ''}
              .
            </List.Item>
          ))}
        </List>
      ) : null}
    </>
  );
}
