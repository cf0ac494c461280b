import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

export type HeaderList = ReadonlyArray<readonly [name: string, value: string]>;

/**
 * Helmet's headers with its defaults, recorded once at start-up. With these options helmet sets
 * the same values on every answer, so the request preamble sets them from this list instead of
 * passing each request through helmet's dozen middleware. (Options whose values depend on the
 * request, such as CSP nonces, would not survive the recording: the check below refuses them.)
 * The dashboard and the test provider's checkout page replace the CSP (and COOP) on their pages.
 */
export function helmetHeaders(): HeaderList {
  const headers: [string, string][] = [];
  const recorder = {
    setHeader(name: string, value: unknown) {
      if (typeof value !== 'string') throw new Error(`helmet set ${name} to a non-string`);
      headers.push([name, value]);
    },
    // X-Powered-By: Express never sets it here (bootstrap disables it).
    removeHeader() {},
  };
  let finished = false;
  helmet()({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
    finished = true;
  });
  if (!finished) throw new Error('helmet did not set its headers synchronously');
  return headers;
}
