import { createContext, useContext } from 'react';
import type { User } from 'oidc-client-ts';

export interface AuthState {
  user: User | null;
  /** The session ended (renewal failed or the server refused the token); the page keeps its state. */
  expired: boolean;
  signIn(returnTo?: string): Promise<void>;
  /** Signs in again in a popup, so that nothing on the page is lost. */
  reauthenticate(): Promise<void>;
  signOut(): Promise<void>;
}

export const AuthContext = createContext<AuthState | null>(null);

export function useAuth(): AuthState {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}

/** Who is signed in, for the header: the token's subject (the server does the checking). */
export function displayName(user: User | null): string {
  const profile = user?.profile;
  return String(profile?.email ?? profile?.name ?? profile?.sub ?? '');
}
