/*
 * Two provider-account actions, on the generated client (the server's OpenAPI document types
 * their paths and answers):
 *
 *   POST /api/v1/admin/provider-accounts/{id}/health/reset     (close the circuit breaker)
 *   POST /api/v1/admin/provider-accounts/{id}/test-connection  (one harmless call to the PSP)
 */
import { fetchClient } from './client';
import type { components } from './schema.gen';

/** The circuit state of an account, as GET …/{id}/health answers. */
export type AccountHealth = components['schemas']['AccountHealthDto'];

/** The answer of POST …/{id}/test-connection: the outcome in words, never a credential. */
export type ConnectionTestResult = components['schemas']['ConnectionCheckDto'];

/** Closes the account's circuit: routing sends it payments again at once. */
export async function resetCircuit(id: string): Promise<AccountHealth> {
  const { data, error } = await fetchClient.POST(
    '/api/v1/admin/provider-accounts/{id}/health/reset',
    { params: { path: { id } } },
  );
  if (error || !data) throw error ?? new Error('empty answer');
  return data;
}

/** Asks the PSP whether the account's base URL and credentials work; creates nothing there. */
export async function testConnection(id: string): Promise<ConnectionTestResult> {
  const { data, error } = await fetchClient.POST(
    '/api/v1/admin/provider-accounts/{id}/test-connection',
    { params: { path: { id } } },
  );
  if (error || !data) throw error ?? new Error('empty answer');
  return data;
}
