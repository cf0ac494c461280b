import { Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import type { ReactNode } from 'react';
import { problemMessage } from '../api/problem';

const ERROR_ID = 'action-error';

/** After every action a message; a success also clears the error an earlier attempt left. */
export function notifySuccess(message: ReactNode): void {
  notifications.hide(ERROR_ID);
  notifications.show({ color: 'green', title: 'Done', message, autoClose: 6000, withBorder: true });
}

/** One error at a time, kept until dismissed or until an action succeeds. */
export function notifyError(error: unknown, title = 'That did not work'): void {
  notifications.hide(ERROR_ID);
  notifications.show({
    id: ERROR_ID,
    color: 'red',
    title,
    message: problemMessage(error),
    autoClose: false,
    withBorder: true,
  });
}

/**
 * After a refused form: with field errors (shown under their fields) a pointer to them; without,
 * the problem itself.
 */
export function notifyFormError(
  error: unknown,
  fieldErrors: Record<string, string>,
  title: string,
): void {
  if (Object.keys(fieldErrors).length === 0) {
    notifyError(error, title);
    return;
  }
  notifications.hide(ERROR_ID);
  notifications.show({
    id: ERROR_ID,
    color: 'red',
    title: 'Check the highlighted fields',
    message: 'The reasons are shown under each field.',
    autoClose: false,
    withBorder: true,
  });
}

/** A confirmation dialog; resolves true when confirmed. */
export function confirmAction(options: {
  title: string;
  message: ReactNode;
  confirmLabel: string;
  danger?: boolean;
}): Promise<boolean> {
  return new Promise((resolve) => {
    modals.openConfirmModal({
      title: options.title,
      children:
        typeof options.message === 'string' ? (
          <Text size="sm">{options.message}</Text>
        ) : (
          options.message
        ),
      labels: { confirm: options.confirmLabel, cancel: 'Cancel' },
      confirmProps: { color: options.danger ? 'red' : undefined, 'data-autofocus': true },
      onConfirm: () => resolve(true),
      onCancel: () => resolve(false),
      onClose: () => resolve(false),
    });
  });
}
