import createFetchClient, { type Middleware } from 'openapi-fetch';
import createQueryClient from 'openapi-react-query';
import type { paths } from './schema.gen';
import type { Problem } from './problem';

/** What the API client needs from the sign-in: a fresh access token, and word of a refused one. */
export interface TokenSource {
  accessToken(): Promise<string | null>;
  onUnauthorized(): void;
}

let tokens: TokenSource = { accessToken: async () => null, onUnauthorized: () => {} };

export function setTokenSource(source: TokenSource): void {
  tokens = source;
}

/** Adds the access token and turns every failure into a problem . */
export const auth: Middleware = {
  async onRequest({ request }) {
    const token = await tokens.accessToken();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
  async onResponse({ response }) {
    if (response.status === 401) tokens.onUnauthorized();
    if (response.ok) return response;
    // Every failure reaches the screens as a problem, also when a proxy answered with HTML.
    const type = response.headers.get('content-type') ?? '';
    if (type.includes('json')) return response;
    const problem: Problem = {
      status: response.status,
      title: response.statusText || `HTTP ${response.status}`,
      detail: `The server answered ${response.status}.`,
    };
    return new Response(JSON.stringify(problem), {
      status: response.status,
      headers: { 'content-type': 'application/problem+json' },
    });
  },
};

/** The typed client of the server's own API (types generated from its OpenAPI document). */
export const fetchClient = createFetchClient<paths>({ baseUrl: window.location.origin });
fetchClient.use(auth);

/** TanStack Query hooks over the same client: `$api.useQuery('get', '/api/v1/admin/…', …)`. */
export const $api = createQueryClient(fetchClient);
