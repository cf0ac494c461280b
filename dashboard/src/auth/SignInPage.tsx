import { Alert, Button, Center, Paper, Stack, Text, Title } from '@mantine/core';
import { useAuth } from './auth-context';

export function SignInPage({ error }: { error?: string | null }) {
  const { signIn } = useAuth();
  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" maw={420} w="100%">
        <Stack>
          <Title order={1} size="h2">
            PaymentServer
          </Title>
          <Text>
            Sign in with your organisation&apos;s identity provider to open the operator&apos;s
            console.
          </Text>
          {error ? (
            <Alert color="red" variant="outline" title="Sign-in failed" role="alert">
              {error}
            </Alert>
          ) : null}
          <Button onClick={() => void signIn()} data-testid="sign-in">
            Sign in
          </Button>
        </Stack>
      </Paper>
    </Center>
  );
}
