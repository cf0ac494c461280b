import { Button } from '@mantine/core';
import { IconRefresh } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { $api } from '../../api/client';
import type { ProviderWebhookDetail } from '../../api/types';
import { confirmAction, notifyError, notifySuccess } from '../../components/feedback';
import { replayExplanation, replayOutcome } from './inbox-filters';

/** Replays a stored webhook after a confirmation, then says how it is now. */
export function ReplayButton({
  webhook,
  onReplayed,
}: {
  webhook: ProviderWebhookDetail;
  onReplayed?: (after: ProviderWebhookDetail) => void;
}) {
  const queryClient = useQueryClient();
  const replay = $api.useMutation('post', '/api/v1/admin/provider-webhooks/{id}/replay');

  const run = async () => {
    const confirmed = await confirmAction({
      title: 'Replay this webhook?',
      message: `Process ${webhook.id} (${webhook.status}) again? ${replayExplanation(webhook)}`,
      confirmLabel: 'Replay webhook',
    });
    if (!confirmed) return;
    try {
      const after = await replay.mutateAsync({ params: { path: { id: webhook.id } } });
      const outcome = replayOutcome(after);
      if (outcome.ok) notifySuccess(outcome.message);
      else notifyError(new Error(outcome.message), 'Replayed, but not applied');
      onReplayed?.(after);
      await queryClient.invalidateQueries();
    } catch (error) {
      notifyError(error, 'The webhook was not replayed');
    }
  };

  return (
    <Button
      leftSection={<IconRefresh size={16} aria-hidden />}
      onClick={() => void run()}
      loading={replay.isPending}
    >
      Replay…
    </Button>
  );
}
