import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { User, UserManager } from 'oidc-client-ts';
import { AuthContext, type AuthState } from './auth-context';
import { UNAUTHORIZED_EVENT } from './token-source';

interface Props {
  userManager: UserManager;
  initialUser: User | null;
  children: ReactNode;
}

/** The signed-in operator and the session's state; renewal itself is oidc-client-ts's. */
export function AuthProvider({ userManager, initialUser, children }: Props) {
  const [user, setUser] = useState<User | null>(initialUser);
  const [expired, setExpired] = useState(false);

  useEffect(() => {
    const loaded = (next: User) => {
      setUser(next);
      setExpired(false);
    };
    const unloaded = () => setUser(null);
    const ended = () => setExpired(true);
    userManager.events.addUserLoaded(loaded);
    userManager.events.addUserUnloaded(unloaded);
    userManager.events.addSilentRenewError(ended);
    userManager.events.addAccessTokenExpired(ended);
    window.addEventListener(UNAUTHORIZED_EVENT, ended);
    return () => {
      userManager.events.removeUserLoaded(loaded);
      userManager.events.removeUserUnloaded(unloaded);
      userManager.events.removeSilentRenewError(ended);
      userManager.events.removeAccessTokenExpired(ended);
      window.removeEventListener(UNAUTHORIZED_EVENT, ended);
    };
  }, [userManager]);

  const signIn = useCallback(
    (returnTo?: string) =>
      userManager.signinRedirect({
        state: { returnTo: returnTo ?? window.location.pathname + window.location.search },
      }),
    [userManager],
  );
  const reauthenticate = useCallback(async () => {
    const next = await userManager.signinPopup();
    setUser(next);
    setExpired(false);
  }, [userManager]);
  const signOut = useCallback(async () => {
    await userManager.revokeTokens().catch(() => undefined);
    await userManager.removeUser();
  }, [userManager]);

  const value = useMemo<AuthState>(
    () => ({ user, expired, signIn, reauthenticate, signOut }),
    [user, expired, signIn, reauthenticate, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
