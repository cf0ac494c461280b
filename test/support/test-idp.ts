import childProcess from 'node:child_process';
import { ChildProcess, spawn } from 'node:child_process';
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  JsonWebKey,
  KeyObject,
  randomBytes,
} from 'node:crypto';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { generateSigningKey } from '../../src/dev-idp/identity-provider';

export const ADMIN_SCOPE = 'paymentserver:admin';
export const PAYMENTS_SCOPE = 'paymentserver:payments';
/** Read-only admin access. */
export const READ_SCOPE = 'paymentserver:read';

export interface TestSigningKey {
  kid: string;
  jwk: JsonWebKey;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface TokenOptions {
  /** Space-separated scopes to request; '' for none. */
  scope?: string;
  /** Put into the token's `roles` claim. */
  roles?: string[];
}

/**
 * A real oidc-provider (in a child process) issuing JWT access tokens for audience
 * `urn:paymentserver` by the client_credentials grant. The tests hold its private keys so that
 * they can also forge tokens that must be refused.
 */
export interface TestIdp {
  issuer: string;
  audience: string;
  /** The key the provider currently signs with. */
  signingKey: TestSigningKey;
  /** A client_credentials token of client `clientId` (registered on first use). */
  clientToken(clientId: string, options?: TokenOptions): Promise<string>;
  /** A token with scope paymentserver:admin unless told otherwise. */
  adminToken(options?: TokenOptions): Promise<string>;
  /**
   * Registers a public client (authorization code + PKCE, like the dashboard) whose users sign in
   * on the provider's development login page and get `scope`.
   */
  publicClient(clientId: string, redirectUris: string[], scope?: string): Promise<void>;
  /** How many requests the provider has had per path (e.g. `/jwks`). */
  hits(): Promise<Record<string, number>>;
  /** A new signing key at the provider; the old one stays published for verification. */
  rotateKeys(): Promise<TestSigningKey>;
  stop(): Promise<void>;
}

function toSigningKey(jwk: JsonWebKey & { kid: string }): TestSigningKey {
  const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
  return { kid: jwk.kid, jwk, privateKey, publicKey: createPublicKey(privateKey) };
}

const CHILD = path.join(__dirname, 'oidc', 'test-idp.child.ts');

/** Everything needed to talk to a running test identity provider (plain data, shareable). */
interface IdpHandle {
  issuer: string;
  audience: string;
  controlUrl: string;
  controlToken: string;
  keys: (JsonWebKey & { kid: string })[];
}

async function spawnIdp(
  audience: string,
  host?: string,
): Promise<{ handle: IdpHandle; child: ChildProcess }> {
  const keys = [generateSigningKey()];
  const controlToken = randomBytes(16).toString('hex');
  const child: ChildProcess = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', CHILD],
    {
      cwd: path.join(__dirname, '..', '..'),
      env: {
        ...process.env,
        TS_NODE_PROJECT: path.join(__dirname, '..', '..', 'tsconfig.json'),
        IDP_KEYS: JSON.stringify(keys),
        IDP_AUDIENCE: audience,
        IDP_SCOPES: `${ADMIN_SCOPE} ${PAYMENTS_SCOPE} ${READ_SCOPE}`,
        IDP_CONTROL_TOKEN: controlToken,
        ...(host ? { IDP_HOST: host } : {}),
      },
      stdio: ['pipe', 'pipe', process.env.TEST_LOGS === 'true' ? 'inherit' : 'ignore'],
    },
  );
  const ready = await new Promise<{ issuer: string; controlUrl: string }>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      lines.close();
      resolve(JSON.parse(line));
    });
    child.once('exit', (code) => reject(new Error(`test identity provider exited with ${code}`)));
  });
  // It must not keep jest's process alive; it exits by itself when its stdin closes.
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  (child.stdout as unknown as { unref?: () => void }).unref?.();
  return { handle: { ...ready, audience, controlToken, keys }, child };
}

function connect(handle: IdpHandle, stop: () => Promise<void>): TestIdp {
  const control = async (method: string, route: string, body: unknown) => {
    const response = await fetch(`${handle.controlUrl}${route}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-control-token': handle.controlToken },
      body: JSON.stringify(body),
    });
    if (response.status !== 204)
      throw new Error(`test identity provider: ${await response.text()}`);
  };
  // Secrets derive from the control token, so every test file of a worker agrees on them.
  const secretOf = (clientId: string) =>
    createHmac('sha256', handle.controlToken).update(clientId).digest('hex');
  const registered = new Map<string, string>();

  const clientToken = async (clientId: string, options: TokenOptions = {}) => {
    const roles = options.roles ?? [];
    const signature = JSON.stringify(roles);
    if (registered.get(clientId) !== signature) {
      await control('POST', '/clients', {
        clientId,
        clientSecret: secretOf(clientId),
        scope: `${ADMIN_SCOPE} ${PAYMENTS_SCOPE} ${READ_SCOPE}`,
        roles,
      });
      registered.set(clientId, signature);
    }
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (options.scope) form.set('scope', options.scope);
    const response = await fetch(`${handle.issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${secretOf(clientId)}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: form.toString(),
    });
    const body = (await response.json()) as { access_token?: string };
    if (!response.ok || !body.access_token)
      throw new Error(`token request failed: ${JSON.stringify(body)}`);
    return body.access_token;
  };

  const idp: TestIdp = {
    issuer: handle.issuer,
    audience: handle.audience,
    signingKey: toSigningKey(handle.keys[0]),
    clientToken,
    async hits() {
      const response = await fetch(`${handle.controlUrl}/hits`, {
        headers: { 'x-control-token': handle.controlToken },
      });
      return (await response.json()) as Record<string, number>;
    },
    publicClient: (clientId, redirectUris, scope = ADMIN_SCOPE) =>
      control('POST', '/clients', { clientId, scope, redirectUris }),
    adminToken: (options = {}) => {
      const scope = options.scope ?? (options.roles ? '' : ADMIN_SCOPE);
      const clientId = options.roles ? `test-admin-roles-${options.roles.join('-')}` : 'test-admin';
      return clientToken(clientId, { scope, roles: options.roles });
    },
    async rotateKeys() {
      handle.keys = [generateSigningKey(), ...handle.keys];
      await control('PUT', '/keys', { keys: handle.keys });
      idp.signingKey = toSigningKey(handle.keys[0]);
      return idp.signingKey;
    },
    stop,
  };
  return idp;
}

/**
 * Starts a dedicated test identity provider (for suites that rotate its keys), on 127.0.0.1 or
 * on `host` (its issuer then names that address).
 */
export async function startTestIdp(
  audience = 'urn:paymentserver',
  host?: string,
): Promise<TestIdp> {
  const { handle, child } = await spawnIdp(audience, host);
  return connect(handle, async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill();
    await exited;
  });
}

/*
 * Jest gives every test file a fresh module registry and global object, so a module variable
 * would start one provider per file. Core modules are shared by all files of a worker process:
 * the shared provider's handle (plain data) is kept on one of them.
 */
const SLOT = Symbol.for('paymentserver.test-idp');
type Slot = { [SLOT]?: Promise<IdpHandle> };

/** One test identity provider per jest worker process, started on first use, gone with it. */
export async function sharedTestIdp(): Promise<TestIdp> {
  const holder = childProcess as unknown as Slot;
  if (!holder[SLOT]) {
    holder[SLOT] = spawnIdp('urn:paymentserver').then(
      ({ handle }) => handle,
      (error: unknown) => {
        delete holder[SLOT];
        throw error;
      },
    );
  }
  return connect(await holder[SLOT]!, async () => {
    /* shared: lives as long as the worker */
  });
}
