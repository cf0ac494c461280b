import { useState } from 'react';
import { Alert, Button, Stack, Text } from '@mantine/core';
import { IconPlugConnected } from '@tabler/icons-react';
import { testConnection, type ConnectionTestResult } from '../../api/account-actions';
import { notifyError } from '../../components/feedback';
import { WriteOnly } from '../../components/WriteOnly';

/** What a connection test found, in words an operator can act on. */
export function describeConnectionTest(
  result: ConnectionTestResult,
  provider: string,
): { title: string; text: string; color: string } {
  const status = result.httpStatus === null ? '' : ` (HTTP ${result.httpStatus})`;
  const took = `${result.durationMs} ms`;
  const message = result.message.replace(/\.+$/, '');
  switch (result.outcome) {
    case 'ok':
      return {
        title: 'Connection works',
        text: `${provider} accepted the credentials${status} in ${took}.`,
        color: 'green',
      };
    case 'unauthorized':
      return {
        title: 'Credentials refused',
        text: `${provider} refused the credentials${status}: ${message}. Edit the account and enter them again.`,
        color: 'red',
      };
    case 'unreachable':
      return {
        title: 'Provider unreachable',
        text: `${provider} could not be reached after ${took}: ${message}. Check the base URL and the server's network access.`,
        color: 'red',
      };
    case 'error':
      return {
        title: 'Provider answered with an error',
        text: `${provider} answered with an error${status}: ${message}.`,
        color: 'orange',
      };
  }
}

/**
 * "Test connection": one harmless call to the PSP with the account's stored credentials and
 * base URL (nothing is created there); the outcome is shown under the button until the next test.
 */
export function TestConnectionButton({
  accountId,
  providerName,
}: {
  accountId: string;
  providerName: string;
}) {
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<ConnectionTestResult | null>(null);

  const run = async () => {
    setRunning(true);
    setResult(null);
    try {
      setResult(await testConnection(accountId));
    } catch (error) {
      notifyError(error, 'The connection test did not run');
    } finally {
      setRunning(false);
    }
  };
  const shown = result ? describeConnectionTest(result, providerName) : null;

  return (
    <WriteOnly>
      <Stack gap={6}>
        <div>
          <Button
            size="xs"
            variant="default"
            leftSection={<IconPlugConnected size={14} aria-hidden />}
            onClick={() => void run()}
            loading={running}
          >
            Test connection
          </Button>
        </div>
        <div role="status" aria-live="polite">
          {shown ? (
            <Alert
              color={shown.color}
              variant="light"
              title={shown.title}
              p="xs"
              data-outcome={result?.outcome}
            >
              <Text size="sm" className="break-anywhere">
                {shown.text}
              </Text>
            </Alert>
          ) : null}
        </div>
      </Stack>
    </WriteOnly>
  );
}
