import { lazy } from 'react';
import { MantineProvider } from '@mantine/core';
import { ModalsProvider } from '@mantine/modals';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { User, UserManager } from 'oidc-client-ts';
import { BrowserRouter, Route, Routes } from 'react-router';
import { AuthProvider } from '../auth/AuthProvider';
import { useAuth } from '../auth/auth-context';
import { SignInPage } from '../auth/SignInPage';
import { AppLayout } from './AppLayout';
import { NotFoundPage } from './NotFoundPage';
import { cssVariablesResolver, theme } from './theme';

// One chunk per screen: the first page loads only what it shows.
const OverviewPage = lazy(() => import('../features/overview/OverviewPage'));
const PaymentsPage = lazy(() => import('../features/payments/PaymentsPage'));
const PaymentDetailPage = lazy(() => import('../features/payments/PaymentDetailPage'));
const ProviderAccountsPage = lazy(() => import('../features/providers/ProviderAccountsPage'));
const RoutingPage = lazy(() => import('../features/routing/RoutingPage'));
const NotificationsPage = lazy(() => import('../features/notifications/NotificationsPage'));
const EndpointDeliveriesPage = lazy(
  () => import('../features/notifications/EndpointDeliveriesPage'),
);
const IntegrationsPage = lazy(() => import('../features/integrations/IntegrationsPage'));
const AuditLogPage = lazy(() => import('../features/audit/AuditLogPage'));
const ProviderWebhooksPage = lazy(() => import('../features/webhooks/ProviderWebhooksPage'));
const ProviderWebhookDetailPage = lazy(
  () => import('../features/webhooks/ProviderWebhookDetailPage'),
);

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      retry: (count, error) =>
        count < 2 &&
        !(
          typeof error === 'object' &&
          error !== null &&
          'status' in error &&
          Number(error.status) >= 400
        ),
    },
    mutations: { retry: false },
  },
});

function Screens({ signInError }: { signInError: string | null }) {
  const { user } = useAuth();
  if (!user) return <SignInPage error={signInError} />;
  return (
    <Routes>
      <Route element={<AppLayout />}>
        <Route index element={<OverviewPage />} />
        <Route path="payments" element={<PaymentsPage />} />
        <Route path="payments/:id" element={<PaymentDetailPage />} />
        <Route path="provider-accounts" element={<ProviderAccountsPage />} />
        <Route path="routing" element={<RoutingPage />} />
        <Route path="notifications" element={<NotificationsPage />} />
        <Route path="notifications/:id" element={<EndpointDeliveriesPage />} />
        <Route path="integrations" element={<IntegrationsPage />} />
        <Route path="provider-webhooks" element={<ProviderWebhooksPage />} />
        <Route path="provider-webhooks/:id" element={<ProviderWebhookDetailPage />} />
        <Route path="audit-log" element={<AuditLogPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

export function App({
  userManager,
  initialUser,
  signInError,
}: {
  userManager: UserManager;
  initialUser: User | null;
  signInError: string | null;
}) {
  return (
    <MantineProvider
      theme={theme}
      cssVariablesResolver={cssVariablesResolver}
      defaultColorScheme="light"
    >
      <QueryClientProvider client={queryClient}>
        <ModalsProvider>
          <Notifications position="top-right" />
          <AuthProvider userManager={userManager} initialUser={initialUser}>
            <BrowserRouter basename="/dashboard">
              <Screens signInError={signInError} />
            </BrowserRouter>
          </AuthProvider>
        </ModalsProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
