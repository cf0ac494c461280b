import { UserManager, WebStorageStateStore } from 'oidc-client-ts';
import type { DashboardConfig } from './config';

export const CALLBACK_PATH = '/dashboard/callback';

/**
 * Authorization code + PKCE against the configured issuer. The tokens live in this tab's
 * sessionStorage. The access token is renewed before it expires with the refresh token
 * (offline_access) or, where the provider gives none, in a hidden frame (prompt=none), so a
 * half-filled form never meets a sign-in page.
 */
export function createUserManager(config: DashboardConfig): UserManager {
  const callback = `${window.location.origin}${CALLBACK_PATH}`;
  return new UserManager({
    authority: config.issuer,
    client_id: config.clientId,
    redirect_uri: callback,
    silent_redirect_uri: callback,
    popup_redirect_uri: callback,
    post_logout_redirect_uri: `${window.location.origin}/dashboard/`,
    response_type: 'code',
    scope: config.scope,
    prompt: config.prompt,
    // Providers that pick the API by audience (Auth0) need it; others ignore it.
    extraQueryParams: { audience: config.audience },
    automaticSilentRenew: true,
    loadUserInfo: false,
    monitorSession: false,
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  });
}
