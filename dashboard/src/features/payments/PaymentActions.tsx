import { useState } from 'react';
import { Button, Card, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQueryClient } from '@tanstack/react-query';
import { $api } from '../../api/client';
import { fieldErrors, toProblem } from '../../api/problem';
import type { Payment, Refund } from '../../api/types';
import {
  confirmAction,
  notifyError,
  notifyFormError,
  notifySuccess,
} from '../../components/feedback';
import { MoneyInput } from '../../components/MoneyInput';
import { MoneyText } from '../../components/MoneyText';
import { formatMoney, parseAmount, toDecimalString } from '../../lib/money';
import { useProviderLabel } from '../providers/provider-catalog';
import { canCancel, canCapture, canRefund, refundable } from './payment-facts';

/** Server field names of a money body → the form's `amount` field. */
const amountField = (field: string) => (field.startsWith('amount') ? 'amount' : field);

function validateAmount(text: string, currency: string, max: number, what: string): string | null {
  const parsed = parseAmount(text, currency);
  if (!parsed.ok) return parsed.error;
  if (parsed.value <= 0) return 'Enter more than zero';
  if (parsed.value > max) return `At most ${formatMoney({ value: max, currency })} can be ${what}`;
  return null;
}

/** Shows the server's answer: field errors next to their fields, anything else as a message. */
function showFailure(
  error: unknown,
  setErrors: (errors: Record<string, string>) => void,
  map: (field: string) => string,
) {
  const errors = fieldErrors(error, map);
  setErrors(errors);
  notifyFormError(error, errors, 'That did not work');
}

function RefundForm({ payment, refunds }: { payment: Payment; refunds: Refund[] }) {
  const providerLabel = useProviderLabel();
  const queryClient = useQueryClient();
  const currency = payment.amount.currency;
  const remainder = refundable(payment, refunds);
  // One key per refund the operator means: a retry after no answer is the same refund.
  const [key, setKey] = useState(() => crypto.randomUUID());
  const refund = $api.useMutation('post', '/api/v1/admin/payments/{id}/refunds');
  const form = useForm({
    initialValues: { amount: toDecimalString(remainder.value, currency), reason: '' },
    validate: {
      amount: (value) => validateAmount(value, currency, remainder.value, 'refunded'),
      reason: (value) => (value.length > 255 ? 'At most 255 characters' : null),
    },
  });

  const submit = form.onSubmit(async (values) => {
    const value = (parseAmount(values.amount, currency) as { value: number }).value;
    const money = { value, currency };
    const confirmed = await confirmAction({
      title: 'Refund this payment?',
      message: (
        <Stack gap="xs">
          <Text size="sm">
            Refund <b data-testid="confirm-amount">{formatMoney(money)}</b> of{' '}
            <b>{formatMoney(payment.amount)}</b> to the customer through{' '}
            {providerLabel(payment.provider?.name)}.
          </Text>
          <Text size="sm">A refund cannot be undone.</Text>
        </Stack>
      ),
      confirmLabel: `Refund ${formatMoney(money)}`,
      danger: true,
    });
    if (!confirmed) return;
    try {
      const created = await refund.mutateAsync({
        params: { path: { id: payment.id }, header: { 'Idempotency-Key': key } },
        body: { amount: money, ...(values.reason.trim() ? { reason: values.reason.trim() } : {}) },
      });
      setKey(crypto.randomUUID());
      notifySuccess(
        created.status === 'succeeded'
          ? `Refunded ${formatMoney(created.amount)} (${created.id}).`
          : created.status === 'pending'
            ? `Refund ${created.id} of ${formatMoney(created.amount)} is pending; the provider confirms it.`
            : `Refund ${created.id} of ${formatMoney(created.amount)} failed at the provider.`,
      );
      form.setErrors({});
      await queryClient.invalidateQueries();
    } catch (error) {
      // Retried after no answer, the same key makes the server give the first attempt's result.
      if (toProblem(error).status !== 0) setKey(crypto.randomUUID());
      showFailure(error, form.setErrors, amountField);
    }
  });

  return (
    <form onSubmit={submit} aria-label="Refund" noValidate>
      <Stack gap="xs">
        <Text size="sm">
          Refundable: <MoneyText money={{ value: remainder.value, currency }} />
          {remainder.pending > 0 ? (
            <>
              {' '}
              (<MoneyText money={{ value: remainder.pending, currency }} /> in pending refunds is
              reserved)
            </>
          ) : null}
        </Text>
        <Group align="flex-start" gap="xs" wrap="wrap">
          <MoneyInput
            label="Amount to refund"
            currency={currency}
            {...form.getInputProps('amount')}
            name="amount"
            style={{ flex: '1 1 10rem' }}
          />
          <TextInput
            label="Reason (optional)"
            {...form.getInputProps('reason')}
            name="reason"
            style={{ flex: '2 1 14rem' }}
          />
        </Group>
        <Group>
          <Button
            type="submit"
            color="red"
            loading={refund.isPending}
            disabled={remainder.value === 0}
          >
            Refund…
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function CaptureForm({ payment }: { payment: Payment }) {
  const queryClient = useQueryClient();
  const currency = payment.amount.currency;
  const capture = $api.useMutation('post', '/api/v1/admin/payments/{id}/capture');
  const form = useForm({
    initialValues: { amount: toDecimalString(payment.amount.value, currency) },
    validate: {
      amount: (value) => validateAmount(value, currency, payment.amount.value, 'captured'),
    },
  });

  const submit = form.onSubmit(async (values) => {
    const value = (parseAmount(values.amount, currency) as { value: number }).value;
    const money = { value, currency };
    const partial = value < payment.amount.value;
    const confirmed = await confirmAction({
      title: 'Capture this payment?',
      message: (
        <Text size="sm">
          Capture <b data-testid="confirm-amount">{formatMoney(money)}</b> of the authorized{' '}
          <b>{formatMoney(payment.amount)}</b>
          {partial ? '; the rest of the authorization is released' : ''}.
        </Text>
      ),
      confirmLabel: `Capture ${formatMoney(money)}`,
    });
    if (!confirmed) return;
    try {
      const updated = await capture.mutateAsync({
        params: { path: { id: payment.id } },
        body: { amount: money },
      });
      notifySuccess(
        updated.status === 'paid'
          ? `Captured ${formatMoney({ value: updated.amountCaptured, currency })}.`
          : 'Capture requested; the provider confirms it by webhook.',
      );
      form.setErrors({});
      await queryClient.invalidateQueries();
    } catch (error) {
      showFailure(error, form.setErrors, amountField);
    }
  });

  return (
    <form onSubmit={submit} aria-label="Capture" noValidate>
      <Group align="flex-end" gap="xs" wrap="wrap">
        <MoneyInput
          label="Amount to capture"
          currency={currency}
          {...form.getInputProps('amount')}
          name="amount"
          style={{ flex: '1 1 10rem' }}
        />
        <Button type="submit" loading={capture.isPending}>
          Capture…
        </Button>
      </Group>
    </form>
  );
}

function CancelButton({ payment }: { payment: Payment }) {
  const queryClient = useQueryClient();
  const cancel = $api.useMutation('post', '/api/v1/admin/payments/{id}/cancel');
  const run = async () => {
    const confirmed = await confirmAction({
      title: 'Cancel this payment?',
      message: (
        <Text size="sm">
          Cancel the {payment.status} payment of{' '}
          <b data-testid="confirm-amount">{formatMoney(payment.amount)}</b>? The customer can no
          longer pay it.
        </Text>
      ),
      confirmLabel: 'Cancel payment',
      danger: true,
    });
    if (!confirmed) return;
    try {
      const updated = await cancel.mutateAsync({ params: { path: { id: payment.id } } });
      notifySuccess(
        updated.status === 'canceled'
          ? 'The payment is canceled.'
          : 'Cancellation requested; the provider confirms it by webhook.',
      );
      await queryClient.invalidateQueries();
    } catch (error) {
      notifyError(error, 'The payment was not canceled');
    }
  };
  return (
    <Button variant="outline" color="red" onClick={() => void run()} loading={cancel.isPending}>
      Cancel payment…
    </Button>
  );
}

/** The operations the payment's status allows, each behind a confirmation. */
export function PaymentActions({ payment, refunds }: { payment: Payment; refunds: Refund[] }) {
  if (!canCapture(payment) && !canCancel(payment) && !canRefund(payment)) return null;
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="sm">
        Actions
      </Title>
      <Stack gap="md">
        {canCapture(payment) ? <CaptureForm payment={payment} /> : null}
        {canRefund(payment) ? (
          <RefundForm
            key={`${payment.amountRefunded}-${refunds.length}`}
            payment={payment}
            refunds={refunds}
          />
        ) : null}
        {canCancel(payment) ? (
          <Group>
            <CancelButton payment={payment} />
          </Group>
        ) : null}
      </Stack>
    </Card>
  );
}
