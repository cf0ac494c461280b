import { useState } from 'react';
import { Button, Group, Stack, Text } from '@mantine/core';
import { IconRefresh } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { $api } from '../../api/client';
import { resetCircuit, type AccountHealth } from '../../api/account-actions';
import { confirmAction, notifyError, notifySuccess } from '../../components/feedback';
import { DateTime } from '../../components/DateTime';
import { StatusBadge } from '../../components/StatusBadge';
import { WriteOnly } from '../../components/WriteOnly';

const STATE_WORDS: Record<AccountHealth['state'], string> = {
  closed: 'in rotation',
  open: 'skipped by routing',
  half_open: 'the next payment probes it',
};

/** Whether a reset would change anything: an open circuit, or failures counted towards one. */
export function canReset(health: AccountHealth): boolean {
  return health.state !== 'closed' || health.consecutiveFailures > 0;
}

/**
 * The circuit breaker of one provider account (GET …/{id}/health): its state in words, the
 * failures in a row, the last failure and when it probes again; with "Reset circuit" for users
 * who may write, behind a confirmation.
 */
export function AccountHealthPanel({ accountId, name }: { accountId: string; name: string }) {
  const queryClient = useQueryClient();
  const options = { params: { path: { id: accountId } } };
  const health = $api.useQuery('get', '/api/v1/admin/provider-accounts/{id}/health', options);
  const [resetting, setResetting] = useState(false);

  if (health.isError)
    return <Text size="sm">Circuit: unknown (the state could not be loaded)</Text>;
  if (!health.data) return null;
  const h = health.data;

  const reset = async () => {
    const confirmed = await confirmAction({
      title: 'Reset the circuit?',
      message: `Put ${name} back in rotation now? Routing sends it payments again at once, without waiting for a probe payment. If the provider is still failing, the circuit opens again after the next failures.`,
      confirmLabel: 'Reset circuit',
    });
    if (!confirmed) return;
    setResetting(true);
    try {
      const after = await resetCircuit(accountId);
      queryClient.setQueryData(
        $api.queryOptions('get', '/api/v1/admin/provider-accounts/{id}/health', options).queryKey,
        after,
      );
      notifySuccess(
        `Circuit of ${name} reset: ${after.state.replace('_', ' ')}, ${STATE_WORDS[after.state]}.`,
      );
      // The overview's open problems list open circuits.
      await queryClient.invalidateQueries({ queryKey: ['open-problems'] });
    } catch (error) {
      notifyError(error, 'The circuit was not reset');
    } finally {
      setResetting(false);
    }
  };

  return (
    <Stack gap={4} data-testid="account-health">
      <Text size="sm" component="div">
        Circuit: <StatusBadge status={h.state} />{' '}
        <Text span size="xs" c="dimmed">
          {STATE_WORDS[h.state]}
        </Text>
      </Text>
      {h.consecutiveFailures > 0 || h.lastFailure ? (
        <Text size="xs" c="dimmed" className="break-anywhere">
          {h.consecutiveFailures} {h.consecutiveFailures === 1 ? 'failure' : 'failures'} in a row
          {h.lastFailure ? (
            <>
              ; last: {h.lastFailure}
              {h.lastFailureAt ? (
                <>
                  {' '}
                  (<DateTime value={h.lastFailureAt} />)
                </>
              ) : null}
            </>
          ) : null}
          {h.state === 'open' && h.retryAt ? (
            <>
              {' '}
              · probes again at <DateTime value={h.retryAt} />
            </>
          ) : null}
        </Text>
      ) : null}
      {canReset(h) ? (
        <WriteOnly>
          <Group gap="xs">
            <Button
              size="xs"
              variant="default"
              leftSection={<IconRefresh size={14} aria-hidden />}
              onClick={() => void reset()}
              loading={resetting}
            >
              Reset circuit
            </Button>
          </Group>
        </WriteOnly>
      ) : null}
    </Stack>
  );
}
