import type { ProviderCallContext } from '../../src/providers/provider.interface';
import type { HttpRequest } from '../../src/providers/provider-http.client';

type Account = ProviderCallContext['account'];

/**
 * A provider call context for a connector's unit spec: the account given (over test-mode
 * defaults), and an HTTP client that records each request in `seen` and answers it with
 * `reply(request)`: a string as it is, anything else as JSON, with `status`.
 */
export function recordingContext(
  account: Pick<Account, 'provider' | 'credentials'> & Partial<Account>,
  reply: (request: HttpRequest) => unknown,
  seen: HttpRequest[] = [],
  status = 200,
): ProviderCallContext {
  return {
    account: { id: 'pa_1', settings: {}, baseUrl: null, testMode: true, ...account },
    webhookUrl: `https://ps.example/webhooks/${account.provider}/${account.id ?? 'pa_1'}`,
    http: {
      request: async (request: HttpRequest) => {
        seen.push(request);
        const body = reply(request);
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        return { status, headers: new Headers(), text, json: () => JSON.parse(text) };
      },
    } as unknown as ProviderCallContext['http'],
  };
}
