import type { ReactElement } from 'react';
import { MantineProvider } from '@mantine/core';
import { ModalsProvider } from '@mantine/modals';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { theme } from '../app/theme';

// Mantine reads these browser APIs; happy-dom leaves some out.
const globals = window as unknown as Record<string, unknown>;
globals.matchMedia ??= (query: string) => ({
  matches: false,
  media: query,
  onchange: null,
  addEventListener: () => {},
  removeEventListener: () => {},
  addListener: () => {},
  removeListener: () => {},
  dispatchEvent: () => false,
});
globals.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
};

/**
 * Renders a component inside the providers the app gives it. By default no network: queries are
 * never run. With `network` they run against whatever `fetch` the test installed (see
 * `mock-fetch.ts`); with `route` (and the `path` pattern it matches) inside a router at that URL.
 */
export function renderWithProviders(
  ui: ReactElement,
  options: { network?: boolean; route?: string; path?: string } = {},
) {
  const client = new QueryClient({
    defaultOptions: {
      queries: { retry: false, enabled: options.network ?? false },
      mutations: { retry: false },
    },
  });
  const content = options.route ? (
    <MemoryRouter initialEntries={[options.route]}>
      <Routes>
        <Route path={options.path ?? '*'} element={ui} />
        <Route path="*" element={null} />
      </Routes>
    </MemoryRouter>
  ) : (
    ui
  );
  return render(
    <MantineProvider theme={theme} env="test">
      <QueryClientProvider client={client}>
        <ModalsProvider>
          <Notifications />
          {content}
        </ModalsProvider>
      </QueryClientProvider>
    </MantineProvider>,
  );
}
