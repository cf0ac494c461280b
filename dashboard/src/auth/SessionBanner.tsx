import { useState } from 'react';
import { Alert, Button, Group, Text } from '@mantine/core';
import { useAuth } from './auth-context';
import { problemMessage } from '../api/problem';

/**
 * When the session could not be renewed, this asks for a new sign-in in a popup: the page and
 * whatever is typed into it stay as they are.
 */
export function SessionBanner() {
  const { expired, reauthenticate, signIn } = useAuth();
  const [error, setError] = useState<string | null>(null);
  if (!expired) return null;
  return (
    <Alert
      color="yellow"
      variant="outline"
      mb="md"
      title="Your session has ended"
      role="alert"
      maw={1280}
    >
      <Text size="sm">Sign in again to carry on; nothing you typed on this page is lost.</Text>
      {error ? (
        <Text size="sm" c="red.9" mt={4}>
          {error}
        </Text>
      ) : null}
      <Group mt="sm" gap="xs">
        <Button
          size="xs"
          onClick={() =>
            reauthenticate().then(
              () => setError(null),
              (e: unknown) =>
                setError(`The sign-in window did not complete (${problemMessage(e)}).`),
            )
          }
        >
          Sign in again
        </Button>
        <Button size="xs" variant="default" onClick={() => void signIn()}>
          Sign in on this page instead
        </Button>
      </Group>
    </Alert>
  );
}
