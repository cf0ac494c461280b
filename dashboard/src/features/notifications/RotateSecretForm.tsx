import { useState } from 'react';
import { Button, Group, Select, Stack, Text } from '@mantine/core';
import { $api } from '../../api/client';
import type { NotificationEndpoint } from '../../api/types';
import { DateTime } from '../../components/DateTime';
import { confirmAction, notifyError, notifySuccess } from '../../components/feedback';
import { SecretOnce } from '../../components/SecretOnce';

const GRACE = [
  { value: '0', label: 'None: the old secret stops now' },
  { value: '3600', label: '1 hour' },
  { value: '86400', label: '1 day' },
  { value: '604800', label: '7 days' },
];

/** A new signing secret, shown once; the old one keeps signing for the grace period. */
export function RotateSecretForm({
  endpoint,
  onDone,
}: {
  endpoint: NotificationEndpoint;
  onDone: () => void;
}) {
  const rotate = $api.useMutation(
    'post',
    '/api/v1/admin/notification-endpoints/{id}/rotate-secret',
  );
  const [grace, setGrace] = useState('86400');
  const [result, setResult] = useState<{
    secret: string;
    previousSecretExpiresAt: string | null;
  } | null>(null);

  const run = async () => {
    const confirmed = await confirmAction({
      title: 'Rotate the signing secret?',
      message: `The shop must switch to the new secret${grace === '0' ? ' at once: notifications signed with the old one stop now' : ' within the grace period'}.`,
      confirmLabel: 'Rotate secret',
      danger: grace === '0',
    });
    if (!confirmed) return;
    try {
      const rotated = await rotate.mutateAsync({
        params: { path: { id: endpoint.id } },
        body: { graceSeconds: Number(grace) },
      });
      setResult({
        secret: rotated.secret,
        previousSecretExpiresAt: rotated.previousSecretExpiresAt ?? null,
      });
      notifySuccess('Rotated the signing secret. Copy the new one now.');
    } catch (error) {
      notifyError(error, 'The secret was not rotated');
    }
  };

  if (result) {
    return (
      <Stack>
        <SecretOnce label="New signing secret" secret={result.secret} />
        {result.previousSecretExpiresAt ? (
          <Text size="sm">
            The old secret also signs until <DateTime value={result.previousSecretExpiresAt} />.
          </Text>
        ) : null}
        <Group justify="flex-end">
          <Button onClick={onDone}>Done</Button>
        </Group>
      </Stack>
    );
  }
  return (
    <Stack>
      <Text size="sm">
        Every notification carries signatures with both secrets during the grace period, so the shop
        can switch without losing one.
      </Text>
      <Select
        label="Grace period"
        data={GRACE}
        value={grace}
        onChange={(value) => setGrace(value ?? '86400')}
        allowDeselect={false}
      />
      <Group justify="flex-end">
        <Button onClick={() => void run()} loading={rotate.isPending}>
          Rotate…
        </Button>
      </Group>
    </Stack>
  );
}
