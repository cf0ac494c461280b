import { useState } from 'react';
import {
  Anchor,
  Badge,
  Button,
  Code,
  Group,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { fetchAuditEvents, isMissingRoute, type AuditEvent } from '../../api/operator-routes';
import { fieldErrors } from '../../api/problem';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { TableScroll } from '../../components/TableScroll';
import {
  auditApiQuery,
  auditFiltersFromSearch,
  auditFiltersToSearch,
  EMPTY_AUDIT_FILTERS,
  targetLink,
  validateAuditFilters,
  type AuditFilters,
} from './audit-filters';
import { CursorPager } from '../../components/CursorPager';

function FiltersForm({
  initial,
  serverErrors,
  onApply,
}: {
  initial: AuditFilters;
  /** The server's field errors for the filters applied (a 400 naming `action`, …). */
  serverErrors: Record<string, string>;
  onApply: (filters: AuditFilters) => void;
}) {
  const [values, setValues] = useState(initial);
  const [localErrors, setErrors] = useState<Partial<Record<keyof AuditFilters, string>>>({});
  const errors: Partial<Record<string, string>> = { ...serverErrors, ...localErrors };
  const field = (key: keyof AuditFilters) => ({
    value: values[key],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => {
      const value = e.currentTarget.value;
      setValues((v) => ({ ...v, [key]: value }));
    },
    error: errors[key],
    name: key,
  });
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const problems = validateAuditFilters(values);
    setErrors(problems);
    if (Object.keys(problems).length === 0) onApply(values);
  };
  return (
    <form onSubmit={submit} aria-label="Filter the audit log" noValidate>
      <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} spacing="sm" verticalSpacing="xs">
        <TextInput label="Actor" placeholder="subject or client id" {...field('actor')} />
        <TextInput label="Action" placeholder="provider_account.update" {...field('action')} />
        <TextInput label="Target type" placeholder="payment" {...field('targetType')} />
        <TextInput label="Target id" placeholder="pay_…" {...field('targetId')} />
        <Select
          label="Outcome"
          placeholder="Any"
          clearable
          data={['succeeded', 'failed']}
          value={values.outcome || null}
          onChange={(value) => setValues((v) => ({ ...v, outcome: value ?? '' }))}
          error={errors.outcome}
        />
        <TextInput label="From" type="date" {...field('from')} />
        <TextInput label="To" type="date" {...field('to')} />
      </SimpleGrid>
      <Group gap="xs" mt="sm">
        <Button type="submit">Apply filters</Button>
        <Button
          variant="default"
          onClick={() => {
            setValues(EMPTY_AUDIT_FILTERS);
            setErrors({});
            onApply(EMPTY_AUDIT_FILTERS);
          }}
        >
          Clear
        </Button>
      </Group>
    </form>
  );
}

function EventRow({ event }: { event: AuditEvent }) {
  const to = targetLink(event.targetType, event.targetId);
  const actor = [event.actor.sub, event.actor.clientId].filter(Boolean).join(' · ') || 'unknown';
  return (
    <Table.Tr data-audit-id={event.id}>
      <Table.Td>
        <DateTime value={event.at} format="short" />
      </Table.Td>
      <Table.Td className="break-anywhere">
        <Text size="sm">{actor}</Text>
        {event.actor.ip ? (
          <Text size="xs" c="dimmed">
            {event.actor.ip}
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td>
        <Code>{event.action}</Code>
      </Table.Td>
      <Table.Td className="break-anywhere">
        <Text size="xs" c="dimmed">
          {event.targetType}
        </Text>
        {to ? (
          <Anchor component={Link} to={to} ff="monospace" size="sm">
            {event.targetId}
          </Anchor>
        ) : (
          <Text size="sm" ff="monospace">
            {event.targetId ?? '—'}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Badge
          variant="dot"
          color={event.outcome === 'succeeded' ? 'green' : 'red'}
          tt="none"
          maw="none"
        >
          {event.outcome}
        </Badge>
        {event.failureCode ? (
          <Text size="xs" c="dimmed">
            {event.failureCode}
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td className="break-anywhere">
        <Text size="sm">{event.changedFields.length ? event.changedFields.join(', ') : '—'}</Text>
        {event.correlationId ? (
          <Text size="xs" c="dimmed">
            {event.correlationId}
          </Text>
        ) : null}
      </Table.Td>
    </Table.Tr>
  );
}

/** Who changed what, when, and whether it worked (GET /api/v1/admin/audit-events). */
export default function AuditLogPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const filters = auditFiltersFromSearch(searchParams);
  const filterKey = searchParams.toString();
  const [paging, setPaging] = useState<{ key: string; cursors: string[] }>({
    key: filterKey,
    cursors: [],
  });
  const cursors = paging.key === filterKey ? paging.cursors : [];
  const setCursors = (update: (c: string[]) => string[]) =>
    setPaging({ key: filterKey, cursors: update(cursors) });
  const query = auditApiQuery(filters, cursors[cursors.length - 1]);
  const events = useQuery({
    queryKey: ['audit-events', query],
    queryFn: () => fetchAuditEvents(query),
    placeholderData: (previous) => previous,
  });
  const filtered = Object.values(filters).some(Boolean);

  let content;
  if (events.isPending) content = <LoadingState label="Loading the audit log…" />;
  else if (events.isError && isMissingRoute(events.error))
    content = (
      <div data-testid="audit-unavailable">
        <EmptyState
          title="No audit log on this server yet"
          description="This server does not have GET /api/v1/admin/audit-events; it comes with a newer version."
        />
      </div>
    );
  else if (events.isError)
    content = <ErrorState error={events.error} onRetry={() => void events.refetch()} />;
  else if (events.data.data.length === 0 && cursors.length === 0)
    content = (
      <EmptyState
        title={filtered ? 'No events match these filters' : 'Nothing recorded yet'}
        description={
          filtered
            ? 'Clear a filter to see more.'
            : 'Every change made through the admin API is recorded here.'
        }
      />
    );
  else {
    const data = events.data;
    content = (
      <Stack gap="sm">
        <TableScroll minWidth={880} label="Audit events">
          <Table verticalSpacing="xs" striped aria-label="Audit events">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Actor</Table.Th>
                <Table.Th>Action</Table.Th>
                <Table.Th>Target</Table.Th>
                <Table.Th>Outcome</Table.Th>
                <Table.Th>Changed fields</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.data.map((event) => (
                <EventRow key={event.id} event={event} />
              ))}
            </Table.Tbody>
          </Table>
        </TableScroll>
        <CursorPager cursors={cursors} setCursors={setCursors} nextCursor={data.nextCursor} />
      </Stack>
    );
  }

  return (
    <Stack gap="md">
      <PageHeader
        title="Audit log"
        description="Every change made through the admin API: who, what, when, and whether it worked. Secret values never appear."
      />
      <FiltersForm
        key={filterKey}
        initial={filters}
        serverErrors={events.isError ? fieldErrors(events.error) : {}}
        onApply={(next) => setSearchParams(auditFiltersToSearch(next))}
      />
      {content}
    </Stack>
  );
}
