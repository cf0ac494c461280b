/*
 * Two provider-account actions whose server routes are being added alongside this screen:
 *
 *   POST /api/v1/admin/provider-accounts/{id}/health/reset     (close the circuit breaker)
 *   POST /api/v1/admin/provider-accounts/{id}/test-connection  (one harmless call to the PSP)
 *
 * Their types are declared by hand here and will be generated once the routes land in the
 * server's OpenAPI document; then these calls move onto `fetchClient` and this file shrinks to
 * the two functions. The client below shares the auth middleware, so tokens and problem bodies
 * behave exactly as on the generated client.
 */
import createFetchClient from 'openapi-fetch';
import { auth } from './client';
import type { components } from './schema.gen';
import type { Problem } from './problem';

/** The circuit state of an account, as GET …/{id}/health answers (generated). */
export type AccountHealth = components['schemas']['AccountHealthDto'];

/** The answer of POST …/{id}/test-connection (declared by hand; generated once the route lands). */
export interface ConnectionTestResult {
  ok: boolean;
  outcome: 'ok' | 'unauthorized' | 'unreachable' | 'error';
  /** The PSP's HTTP status, null when no answer came. */
  httpStatus: number | null;
  message: string;
  durationMs: number;
}

interface AccountPath {
  parameters: { path: { id: string } };
}

/** openapi-fetch's shape of the two routes (declared by hand; generated once they land). */
interface AccountActionPaths {
  '/api/v1/admin/provider-accounts/{id}/health/reset': {
    post: AccountPath & {
      responses: {
        200: { content: { 'application/json': AccountHealth } };
        default: { content: { 'application/problem+json': Problem } };
      };
    };
  };
  '/api/v1/admin/provider-accounts/{id}/test-connection': {
    post: AccountPath & {
      responses: {
        200: { content: { 'application/json': ConnectionTestResult } };
        default: { content: { 'application/problem+json': Problem } };
      };
    };
  };
}

const actionsClient = createFetchClient<AccountActionPaths>({ baseUrl: window.location.origin });
actionsClient.use(auth);

/** Closes the account's circuit: routing sends it payments again at once. */
export async function resetCircuit(id: string): Promise<AccountHealth> {
  const { data, error } = await actionsClient.POST(
    '/api/v1/admin/provider-accounts/{id}/health/reset',
    { params: { path: { id } } },
  );
  if (error || !data) throw error ?? new Error('empty answer');
  return data;
}

/** Asks the PSP whether the account's base URL and credentials work; creates nothing there. */
export async function testConnection(id: string): Promise<ConnectionTestResult> {
  const { data, error } = await actionsClient.POST(
    '/api/v1/admin/provider-accounts/{id}/test-connection',
    { params: { path: { id } } },
  );
  if (error || !data) throw error ?? new Error('empty answer');
  return data;
}
