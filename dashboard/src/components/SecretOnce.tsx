import { Alert, Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';

/** A secret the server shows exactly once (API key, webhook signing secret). */
export function SecretOnce({ label, secret }: { label: string; secret: string }) {
  return (
    <Stack gap="sm">
      <Alert color="yellow" variant="outline" title="Shown once">
        <Text size="sm">
          Store it now: the server keeps only a hash or an encrypted copy and will not show it
          again.
        </Text>
      </Alert>
      <Text size="sm" fw={600}>
        {label}
      </Text>
      <Code block className="secret" data-testid="secret-value" style={{ wordBreak: 'break-all' }}>
        {secret}
      </Code>
      <Group>
        <CopyButton value={secret}>
          {({ copied, copy }) => (
            <Button variant="default" onClick={copy}>
              {copied ? 'Copied' : 'Copy'}
            </Button>
          )}
        </CopyButton>
      </Group>
    </Stack>
  );
}
