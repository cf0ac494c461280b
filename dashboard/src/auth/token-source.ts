import type { User, UserManager } from 'oidc-client-ts';
import { setTokenSource } from '../api/client';

export const UNAUTHORIZED_EVENT = 'dashboard:unauthorized';

/**
 * Gives the API client a fresh access token for each request. The renewal timer may have missed
 * its moment (a sleeping laptop): a token about to expire is renewed first, once for however
 * many requests ask at the same time. A 401 from the server is announced to the AuthProvider.
 */
export function installTokenSource(userManager: UserManager): void {
  let renewing: Promise<User | null> | null = null;
  const renew = () => {
    renewing ??= userManager
      .signinSilent()
      .catch(() => null)
      .finally(() => {
        renewing = null;
      });
    return renewing;
  };
  setTokenSource({
    async accessToken() {
      let user = await userManager.getUser();
      if (user && user.expires_in !== undefined && user.expires_in < 15) user = await renew();
      return user?.access_token ?? null;
    },
    onUnauthorized: () => window.dispatchEvent(new Event(UNAUTHORIZED_EVENT)),
  });
}
