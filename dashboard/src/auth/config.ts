/** The sign-in settings the server hands the dashboard (GET /dashboard/config.json). */
export interface DashboardConfig {
  issuer: string;
  clientId: string;
  scope: string;
  audience: string;
  /** `consent` where the scope asks for a refresh token (offline_access), as OpenID Connect requires. */
  prompt?: string;
}

export async function loadConfig(): Promise<DashboardConfig> {
  const response = await fetch('/dashboard/config.json', { cache: 'no-store' });
  if (!response.ok)
    throw new Error(`The dashboard settings could not be loaded (HTTP ${response.status}).`);
  return (await response.json()) as DashboardConfig;
}
