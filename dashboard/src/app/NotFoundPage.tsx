import { Anchor } from '@mantine/core';
import { Link } from 'react-router';
import { EmptyState } from '../components/states';

export function NotFoundPage() {
  return (
    <EmptyState
      title="Nothing here"
      description="This page does not exist in the dashboard."
      action={
        <Anchor component={Link} to="/">
          Go to the overview
        </Anchor>
      }
    />
  );
}
