import '@mantine/core/styles.css';
import '@mantine/dates/styles.css';
import '@mantine/notifications/styles.css';
import '@mantine/charts/styles.css';
import './app/app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { User } from 'oidc-client-ts';
import { App } from './app/App';
import { loadConfig } from './auth/config';
import { installTokenSource } from './auth/token-source';
import { CALLBACK_PATH, createUserManager } from './auth/user-manager';

async function start(root: HTMLElement): Promise<void> {
  const userManager = createUserManager(await loadConfig());
  installTokenSource(userManager);
  let initialUser: User | null = null;
  let signInError: string | null = null;

  if (window.location.pathname === CALLBACK_PATH) {
    // A popup or a hidden renewal frame hands its answer to the page that opened it, and stops.
    if (window.opener || window.parent !== window) {
      await userManager.signinCallback();
      return;
    }
    try {
      const user = await userManager.signinRedirectCallback();
      const returnTo = (user.state as { returnTo?: string } | undefined)?.returnTo;
      initialUser = user;
      window.history.replaceState(
        null,
        '',
        returnTo?.startsWith('/dashboard') ? returnTo : '/dashboard/',
      );
    } catch (error) {
      signInError = error instanceof Error ? error.message : String(error);
      window.history.replaceState(null, '', '/dashboard/');
    }
  } else {
    initialUser = await userManager.getUser();
    // An expired access token with a refresh token left: renew instead of asking to sign in.
    if (initialUser?.expired) initialUser = await userManager.signinSilent().catch(() => null);
  }

  createRoot(root).render(
    <StrictMode>
      <App userManager={userManager} initialUser={initialUser} signInError={signInError} />
    </StrictMode>,
  );
}

const root = document.getElementById('root')!;
start(root).catch((error: unknown) => {
  root.textContent = `The dashboard could not start: ${error instanceof Error ? error.message : String(error)}`;
});
