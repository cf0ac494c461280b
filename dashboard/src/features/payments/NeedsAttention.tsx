import { useState } from 'react';
import { Alert, Anchor, Button, Group, Stack, Text, Textarea } from '@mantine/core';
import { IconAlertOctagon, IconAlertTriangle, IconExternalLink } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { $api } from '../../api/client';
import { toProblem } from '../../api/problem';
import type { AdminPayment } from '../../api/types';
import { DateTime } from '../../components/DateTime';
import { confirmAction, notifyError, notifySuccess } from '../../components/feedback';
import { WriteOnly } from '../../components/WriteOnly';
import { useProviderLabel } from '../providers/provider-catalog';

/** The server keeps at most this much of the operator's note (ResolveAttentionDto). */
export const NOTE_MAX = 512;

/** The optional note of the confirmation; it lives in the modal, so it reports each change. */
function NoteField({ onChange }: { onChange: (note: string) => void }) {
  const [note, setNote] = useState('');
  return (
    <Textarea
      label="Note (optional)"
      description={`What you did at the provider, for the server's log (${note.length}/${NOTE_MAX} characters)`}
      name="note"
      rows={3}
      maxLength={NOTE_MAX}
      value={note}
      onChange={(event) => {
        setNote(event.currentTarget.value);
        onChange(event.currentTarget.value);
      }}
    />
  );
}

function ResolveButton({ payment, provider }: { payment: AdminPayment; provider: string }) {
  const queryClient = useQueryClient();
  const resolve = $api.useMutation('post', '/api/v1/admin/payments/{id}/attention/resolve');
  const run = async () => {
    let note = '';
    const confirmed = await confirmAction({
      title: 'Mark the contradiction as resolved?',
      message: (
        <Stack gap="sm">
          <Text size="sm">
            Only once you have checked this payment at {provider} and sorted it out there (for
            example refunded or canceled it, or answered the dispute).
          </Text>
          <Text size="sm">Its status and amounts stay as they are, and the shop is not told.</Text>
          <NoteField onChange={(value) => (note = value)} />
        </Stack>
      ),
      confirmLabel: 'Mark as resolved',
    });
    if (!confirmed) return;
    try {
      const updated = await resolve.mutateAsync({
        params: { path: { id: payment.id } },
        body: note.trim() ? { note: note.trim() } : {},
      });
      queryClient.setQueryData(
        $api.queryOptions('get', '/api/v1/admin/payments/{id}', {
          params: { path: { id: payment.id } },
        }).queryKey,
        updated,
      );
      notifySuccess('Marked as resolved. The status and amounts are unchanged.');
      await queryClient.invalidateQueries();
    } catch (error) {
      notifyError(error, 'The contradiction was not marked as resolved');
      // Someone else resolved it already (nothing_to_resolve): show the payment as it is now.
      if (toProblem(error).status === 409) await queryClient.invalidateQueries();
    }
  };
  return (
    <Button variant="default" onClick={() => void run()} loading={resolve.isPending}>
      Mark as resolved…
    </Button>
  );
}

/**
 * Why an operator should look at this payment. A contradiction the provider reported comes
 * first and stands out: money may have moved against our records, and it stays until an
 * operator resolves it. Open captures, cancels and refunds only wait for the provider.
 */
export function NeedsAttention({
  payment,
  pspUrl,
}: {
  payment: AdminPayment;
  /** The payment in the provider's own dashboard, where known. */
  pspUrl: string | null;
}) {
  const providerLabel = useProviderLabel();
  const operations = payment.needsAttention?.operations ?? [];
  const contradiction = operations.find((o) => o.type === 'contradiction');
  const open = operations.filter((o) => o.type !== 'contradiction');
  const provider = providerLabel(payment.provider?.name);
  return (
    <>
      {contradiction ? (
        <Alert
          color="red"
          variant="light"
          icon={<IconAlertOctagon aria-hidden />}
          title={`${provider} reported what our records contradict`}
          data-testid="contradiction"
        >
          <Stack gap="xs">
            <Text size="sm" fw={600} className="break-anywhere" data-testid="contradiction-reason">
              {contradiction.why}
            </Text>
            <Text size="sm">
              Reported <DateTime value={contradiction.since} />. Money may have moved, yet the
              status here stays {payment.status} and the shop was not told: check the payment at{' '}
              {provider} and sort it out there.
              {pspUrl ? (
                <>
                  {' '}
                  <Anchor href={pspUrl} target="_blank" rel="noopener noreferrer" size="sm">
                    Open in {provider} <IconExternalLink size={12} aria-hidden />
                  </Anchor>
                </>
              ) : null}
            </Text>
            <WriteOnly>
              <Group>
                <ResolveButton payment={payment} provider={provider} />
              </Group>
            </WriteOnly>
          </Stack>
        </Alert>
      ) : null}
      {open.length > 0 ? (
        <Alert
          color="orange"
          variant="outline"
          icon={<IconAlertTriangle aria-hidden />}
          title="Needs attention"
          data-testid="needs-attention"
        >
          <Stack gap={4}>
            {open.map((operation) => (
              <Text size="sm" key={operation.id} className="break-anywhere">
                {operation.why}
              </Text>
            ))}
          </Stack>
        </Alert>
      ) : null}
    </>
  );
}
