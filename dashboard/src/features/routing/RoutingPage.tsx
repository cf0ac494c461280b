import { useState } from 'react';
import { ActionIcon, Button, Card, Group, Stack, Text, Title, Tooltip } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconPlus } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { fetchClient } from '../../api/client';
import {
  namesById,
  useAllIntegrations,
  useAllProviderAccounts,
  useAllRoutingRules,
} from '../../api/lists';
import type { RoutingRule } from '../../api/types';
import { confirmAction, notifyError, notifySuccess } from '../../components/feedback';
import { EnabledBadge } from '../../components/EnabledBadge';
import { PageHeader } from '../../components/PageHeader';
import { ResponsiveModal } from '../../components/ResponsiveModal';
import { EmptyState, QueryView } from '../../components/states';
import { $api } from '../../api/client';
import { describeConditions } from './rule-form';
import { planReorder } from './reorder';
import { RuleEditor } from './RuleEditor';
import { RuleSplit } from './RuleSplit';
import { WriteOnly } from '../../components/WriteOnly';
import { SimulateBox } from './SimulateBox';

function RuleCard({
  rule,
  index,
  count,
  onMove,
  moving,
  onEdit,
  accountNames,
  integrationNames,
}: {
  rule: RoutingRule;
  index: number;
  count: number;
  onMove: (from: number, to: number) => void;
  moving: boolean;
  onEdit: () => void;
  accountNames: Map<string, string>;
  integrationNames: Map<string, string>;
}) {
  const queryClient = useQueryClient();
  const remove = $api.useMutation('delete', '/api/v1/admin/routing-rules/{id}');
  const del = async () => {
    if (
      !(await confirmAction({
        title: 'Delete this rule?',
        message: `Delete the routing rule "${rule.name}"? Payments it took go by the next matching rule.`,
        confirmLabel: 'Delete rule',
        danger: true,
      }))
    )
      return;
    try {
      await remove.mutateAsync({ params: { path: { id: rule.id } } });
      notifySuccess(`Deleted rule ${rule.name}.`);
      await queryClient.invalidateQueries();
    } catch (error) {
      notifyError(error, 'The rule was not deleted');
    }
  };

  return (
    <Card withBorder id={rule.id} component="section" aria-label={rule.name} data-rule-id={rule.id}>
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Group gap="xs" wrap="nowrap" align="flex-start" style={{ minWidth: 0 }}>
            <WriteOnly>
              <Stack gap={0}>
                <Tooltip label="Move up (evaluated earlier)">
                  <ActionIcon
                    variant="subtle"
                    aria-label={`Move ${rule.name} up`}
                    disabled={index === 0 || moving}
                    onClick={() => onMove(index, index - 1)}
                  >
                    <IconArrowUp size={16} aria-hidden />
                  </ActionIcon>
                </Tooltip>
                <Tooltip label="Move down (evaluated later)">
                  <ActionIcon
                    variant="subtle"
                    aria-label={`Move ${rule.name} down`}
                    disabled={index === count - 1 || moving}
                    onClick={() => onMove(index, index + 1)}
                  >
                    <IconArrowDown size={16} aria-hidden />
                  </ActionIcon>
                </Tooltip>
              </Stack>
            </WriteOnly>
            <div style={{ minWidth: 0 }}>
              <Title order={2} size="h4" className="break-anywhere">
                {index + 1}. {rule.name}
              </Title>
              <Text size="sm" c="dimmed">
                Priority {rule.priority} ·{' '}
                {rule.integrationId
                  ? `integration ${integrationNames.get(rule.integrationId) ?? rule.integrationId}`
                  : 'every integration'}
              </Text>
            </div>
          </Group>
          <EnabledBadge enabled={rule.enabled} />
        </Group>
        <Text size="sm">{describeConditions(rule.conditions)}.</Text>
        <RuleSplit rule={rule} accountNames={accountNames} />
        <Text size="sm">
          Fallback:{' '}
          {rule.fallback.length
            ? rule.fallback.map((id) => accountNames.get(id) ?? id).join(' → ')
            : 'none (a retryable failure fails the payment)'}
        </Text>
        <WriteOnly>
          <Group gap="xs">
            <Button size="xs" variant="default" onClick={onEdit}>
              Edit
            </Button>
            <Button
              size="xs"
              variant="outline"
              color="red"
              onClick={() => void del()}
              loading={remove.isPending}
            >
              Delete…
            </Button>
          </Group>
        </WriteOnly>
      </Stack>
    </Card>
  );
}

export default function RoutingPage() {
  const rules = useAllRoutingRules();
  const accounts = useAllProviderAccounts();
  const integrations = useAllIntegrations();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<RoutingRule | 'new' | null>(null);
  const [moving, setMoving] = useState(false);
  const rows = rules.data ?? [];
  const nextPriority = rows.length ? Math.max(...rows.map((r) => r.priority)) + 10 : 10;

  const move = async (from: number, to: number) => {
    setMoving(true);
    try {
      for (const step of planReorder(rows, from, to)) {
        const { error } = await fetchClient.PATCH('/api/v1/admin/routing-rules/{id}', {
          params: { path: { id: step.id } },
          body: { priority: step.priority },
        });
        if (error) throw error;
      }
      notifySuccess(`Moved ${rows[from]!.name} ${to < from ? 'up' : 'down'}.`);
    } catch (error) {
      notifyError(error, 'The rules were not reordered');
    } finally {
      await queryClient.invalidateQueries();
      setMoving(false);
    }
  };

  return (
    <Stack gap="md">
      <PageHeader
        title="Routing"
        description="For each new payment the first enabled rule that matches decides where it goes; without one, the integration's default account takes it."
        actions={
          <WriteOnly>
            <Button
              leftSection={<IconPlus size={16} aria-hidden />}
              onClick={() => setEditing('new')}
            >
              New rule
            </Button>
          </WriteOnly>
        }
      />
      <QueryView
        query={rules}
        loading="Loading routing rules…"
        isEmpty={(data) => data.length === 0}
        empty={
          <EmptyState
            title="No routing rules"
            description="Every payment goes to its integration's default provider account."
          />
        }
      >
        {(data) => (
          <Stack gap="md">
            {data.map((rule, index) => (
              <RuleCard
                key={rule.id}
                rule={rule}
                index={index}
                count={data.length}
                onMove={(a, b) => void move(a, b)}
                moving={moving}
                onEdit={() => setEditing(rule)}
                accountNames={namesById(accounts.data)}
                integrationNames={namesById(integrations.data)}
              />
            ))}
          </Stack>
        )}
      </QueryView>
      {/* A dry run changes nothing, but like every route but a GET it is for admins only. */}
      <WriteOnly>
        <SimulateBox
          integrations={integrations.data ?? []}
          rules={rules.data ?? []}
          accountNames={namesById(accounts.data)}
        />
      </WriteOnly>
      <ResponsiveModal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === 'new' ? 'New routing rule' : `Edit ${editing?.name ?? ''}`}
        size="xl"
      >
        {editing !== null ? (
          <RuleEditor
            rule={editing === 'new' ? undefined : editing}
            nextPriority={nextPriority}
            onDone={() => setEditing(null)}
          />
        ) : null}
      </ResponsiveModal>
    </Stack>
  );
}
