/**
 * Runs a real oidc-provider for the tests in a child process (jest's module loader cannot load
 * the ESM-only library). Prints one JSON line `{ issuer, controlUrl }` when ready; exits when
 * its parent goes away (stdin closes). The control server lets the tests add clients and rotate
 * keys: POST /clients (an IdpClient), PUT /keys ({ keys: [private JWK…] }); GET /hits counts
 * requests per path.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { IdpClient, startIdentityProvider } from '../../../src/dev-idp/identity-provider';

async function main(): Promise<void> {
  const hits: Record<string, number> = {};
  const idp = await startIdentityProvider({
    port: 0,
    // IDP_HOST: another address to listen on and name in the issuer (containers reach the host
    // at its bridge address, not at 127.0.0.1).
    host: process.env.IDP_HOST ?? '127.0.0.1',
    audience: process.env.IDP_AUDIENCE ?? 'urn:paymentserver',
    resourceScopes: (process.env.IDP_SCOPES ?? 'paymentserver:admin paymentserver:payments').split(
      ' ',
    ),
    keys: JSON.parse(process.env.IDP_KEYS ?? '[]'),
    clients: [],
    issuerHost: process.env.IDP_HOST ?? '127.0.0.1',
    onRequest: (req) => {
      const route = (req.url ?? '').split('?')[0];
      hits[route] = (hits[route] ?? 0) + 1;
    },
  });
  const control = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      try {
        if (req.headers['x-control-token'] !== process.env.IDP_CONTROL_TOKEN)
          throw new Error('forbidden');
        if (req.method === 'GET' && req.url === '/hits') {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(hits));
          return;
        }
        const payload = JSON.parse(body || '{}');
        if (req.method === 'POST' && req.url === '/clients') idp.setClient(payload as IdpClient);
        else if (req.method === 'PUT' && req.url === '/keys') idp.setKeys(payload.keys);
        else throw new Error('unknown control request');
        res.writeHead(204).end();
      } catch (error) {
        res.writeHead(400).end(error instanceof Error ? error.message : String(error));
      }
    });
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
  const controlUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}`;
  process.stdout.write(JSON.stringify({ issuer: idp.issuer, controlUrl }) + '\n');
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
}

main().catch((error) => {
  process.stderr.write(
    `test identity provider failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
