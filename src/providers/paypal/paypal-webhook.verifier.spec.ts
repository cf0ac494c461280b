import 'reflect-metadata';
import { createSign, KeyObject, randomUUID, webcrypto } from 'node:crypto';
import { crc32 } from 'node:zlib';
import * as x509 from '@peculiar/x509';
import type { HttpRequest } from '../provider-http.client';
import type { ProviderCallContext } from '../provider.interface';
import { PayPalWebhookVerifier } from './paypal-webhook.verifier';
import { recordingContext } from '../../../test/support/provider-context';
import { appendCrc32Patch, jsonWithCrc32 } from '../../../test/simulators/paypal/paypal-forgery';

const WEBHOOK_ID = '8PT597110X687430LKGECATA';
const CERT_URL =
  'https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77';

async function certificate(subject: string, days = 365): Promise<{ pem: string; key: KeyObject }> {
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const algorithm = {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 2048,
  };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: subject,
    notBefore: new Date(Date.now() - 2 * 86_400_000),
    notAfter: new Date(Date.now() + days * 86_400_000),
    signingAlgorithm: algorithm,
    keys: keys as unknown as Parameters<
      typeof x509.X509CertificateGenerator.createSelfSigned
    >[0]['keys'],
  });
  return { pem: cert.toString('pem'), key: KeyObject.from(keys.privateKey) };
}

function context(
  pem: string,
  seen: HttpRequest[],
  baseUrl: string | null = null,
): ProviderCallContext {
  const credentials = { clientId: 'id', clientSecret: 's', webhookId: WEBHOOK_ID };
  return recordingContext({ provider: 'paypal', credentials, baseUrl }, () => pem, seen);
}

function delivery(key: KeyObject, body: string, overrides: Record<string, string> = {}) {
  const transmissionId = randomUUID();
  const time = new Date().toISOString();
  const signature = createSign('sha256')
    .update(`${transmissionId}|${time}|${WEBHOOK_ID}|${crc32(Buffer.from(body))}`)
    .sign(key, 'base64');
  return {
    headers: {
      'paypal-transmission-id': transmissionId,
      'paypal-transmission-time': time,
      'paypal-transmission-sig': signature,
      'paypal-cert-url': CERT_URL,
      'paypal-auth-algo': 'SHA256withRSA',
      ...overrides,
    },
    rawBody: Buffer.from(body),
  };
}

const allow = { mayFetch: async () => true };
const deny = { mayFetch: async () => false };

describe('PayPalWebhookVerifier', () => {
  let paypal: { pem: string; key: KeyObject };
  beforeAll(async () => {
    paypal = await certificate('C=US, O=PayPal, CN=messageverificationcerts.sandbox.paypal.com');
  });
  const body = '{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{"id":"C1"}}';

  it('verifies a delivery signed over id|time|webhookId|crc32(body), downloading the certificate once', async () => {
    const seen: HttpRequest[] = [];
    const verifier = new PayPalWebhookVerifier();
    await verifier.verify(context(paypal.pem, seen), delivery(paypal.key, body), allow);
    await verifier.verify(context(paypal.pem, seen), delivery(paypal.key, body), deny);
    expect(seen.map((r) => [r.method, r.url])).toEqual([['GET', CERT_URL]]);
  });

  it('downloads through the account base URL when it has one', async () => {
    const seen: HttpRequest[] = [];
    await new PayPalWebhookVerifier().verify(
      context(paypal.pem, seen, 'http://egress.internal/paypal'),
      delivery(paypal.key, body),
      allow,
    );
    expect(seen[0].url).toBe(
      'http://egress.internal/paypal/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77',
    );
  });

  it('refuses a changed body, another webhook id and a signature by another key', async () => {
    const verifier = new PayPalWebhookVerifier();
    const ctx = context(paypal.pem, []);
    const signed = delivery(paypal.key, body);
    await expect(
      verifier.verify(ctx, { ...signed, rawBody: Buffer.from(body.replace('C1', 'C2')) }, allow),
    ).rejects.toThrow('does not verify');
    const other = {
      ...ctx,
      account: {
        ...ctx.account,
        credentials: { ...ctx.account.credentials, webhookId: 'OTHERWEBHOOK' },
      },
    };
    await expect(verifier.verify(other, signed, allow)).rejects.toThrow('does not verify');
    const forger = await certificate('CN=forger.example');
    await expect(verifier.verify(ctx, delivery(forger.key, body), allow)).rejects.toThrow(
      'does not verify',
    );
  });

  it('cannot tell a body forged to the same CRC32 from the genuine one (why bodies are never trusted)', async () => {
    // PayPal's scheme signs CRC32(body), not a hash: 4 bytes solved for make any body match.
    const verifier = new PayPalWebhookVerifier();
    const ctx = context(paypal.pem, []);
    const signed = delivery(paypal.key, body);
    const target = crc32(Buffer.from(body));
    const appended = appendCrc32Patch(Buffer.from(body.replace('C1', 'C2')), target);
    await verifier.verify(ctx, { ...signed, rawBody: appended }, allow);
    const forged = JSON.parse(body);
    forged.id = 'WH-FORGED';
    forged.resource = { id: 'C2', status: 'COMPLETED', custom_id: 'pay_other' };
    const json = jsonWithCrc32(forged, target);
    expect(JSON.parse(json)).toMatchObject(forged);
    await verifier.verify(ctx, { ...signed, rawBody: Buffer.from(json) }, allow);
  });

  it.each([
    ['http', 'http://api.sandbox.paypal.com/v1/notifications/certs/CERT-1'],
    ['another host', 'https://evil.example/v1/notifications/certs/CERT-1'],
    [
      'a look-alike host',
      'https://api.sandbox.paypal.com.evil.example/v1/notifications/certs/CERT-1',
    ],
    ['another path', 'https://api.sandbox.paypal.com/v1/oauth2/token'],
    ['a query', 'https://api.sandbox.paypal.com/v1/notifications/certs/CERT-1?x=1'],
    ['user info', 'https://user@api.sandbox.paypal.com/v1/notifications/certs/CERT-1'],
    ['another port', 'https://api.sandbox.paypal.com:8443/v1/notifications/certs/CERT-1'],
  ])('never downloads from a certificate URL with %s', async (_label, url) => {
    const seen: HttpRequest[] = [];
    await expect(
      new PayPalWebhookVerifier().verify(
        context(paypal.pem, seen),
        delivery(paypal.key, body, { 'paypal-cert-url': url }),
        allow,
      ),
    ).rejects.toThrow('not a PayPal certificate URL');
    expect(seen).toEqual([]);
  });

  it('downloads nothing when the intake does not allow it', async () => {
    const seen: HttpRequest[] = [];
    await expect(
      new PayPalWebhookVerifier().verify(
        context(paypal.pem, seen),
        delivery(paypal.key, body),
        deny,
      ),
    ).rejects.toThrow('not cached');
    expect(seen).toEqual([]);
  });

  it('refuses a certificate not issued to PayPal, and a missing header or another algorithm', async () => {
    const stranger = await certificate('CN=messageverificationcerts.paypal.com.evil.example');
    await expect(
      new PayPalWebhookVerifier().verify(
        context(stranger.pem, []),
        delivery(stranger.key, body),
        allow,
      ),
    ).rejects.toThrow('not issued to PayPal');
    const signed = delivery(paypal.key, body);
    const unsigned: Record<string, string> = { ...signed.headers };
    delete unsigned['paypal-transmission-sig'];
    await expect(
      new PayPalWebhookVerifier().verify(
        context(paypal.pem, []),
        { ...signed, headers: unsigned },
        allow,
      ),
    ).rejects.toThrow('missing paypal-transmission-sig');
    await expect(
      new PayPalWebhookVerifier().verify(
        context(paypal.pem, []),
        delivery(paypal.key, body, { 'paypal-auth-algo': 'SHA1withRSA' }),
        allow,
      ),
    ).rejects.toThrow('unsupported');
  });
});
