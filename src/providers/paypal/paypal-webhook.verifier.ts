import { KeyObject, verify, X509Certificate } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { ProviderError, WebhookVerificationError } from '../provider-error';
import type {
  InboundWebhook,
  ProviderCallContext,
  WebhookVerificationIo,
} from '../provider.interface';

/** Where PayPal publishes its webhook signing certificates (the PAYPAL-CERT-URL of its deliveries). */
export const PAYPAL_CERT_HOSTS = new Set([
  'api.paypal.com',
  'api-m.paypal.com',
  'api.sandbox.paypal.com',
  'api-m.sandbox.paypal.com',
]);
const CERT_PATH = /^\/v1\/notifications\/certs\/[A-Za-z0-9._-]{1,100}$/;
/** The subject PayPal's own SDKs require of the signing certificate. */
const SIGNING_SUBJECT = /^CN=messageverificationcerts[a-z0-9.-]*\.paypal\.com$/m;
const ALGORITHM = 'SHA256withRSA';
const MAX_CACHED = 32;
const MAX_CERT_CHARS = 64 * 1024;

const HEADERS = {
  transmissionId: 'paypal-transmission-id',
  transmissionTime: 'paypal-transmission-time',
  transmissionSig: 'paypal-transmission-sig',
  certUrl: 'paypal-cert-url',
  authAlgo: 'paypal-auth-algo',
} as const;

interface CachedCertificate {
  key: KeyObject;
  validTo: number;
}

/**
 * PayPal's documented local verification of a webhook, so that checking one costs no PayPal
 * API call (unlike POST /v1/notifications/verify-webhook-signature, which needs an OAuth token
 * and a call per delivery, forged ones included): SHA256withRSA over
 * `<transmission id>|<transmission time>|<webhook id>|<CRC32 of the raw body, decimal>`,
 * checked with the public key of the certificate at PAYPAL-CERT-URL.
 *
 * The certificate URL must be https on one of PayPal's API hosts under
 * /v1/notifications/certs/ (the sender chooses it, so anywhere else could serve a key of their
 * own); the certificate must be current and issued to messageverificationcerts(.sandbox).paypal.com.
 * An account with a baseUrl (a sandbox, an egress proxy, a simulator) fetches it through that
 * base URL instead, which the account already trusts with every PayPal answer. Certificates are
 * cached until they expire; a download happens only when the intake allows it (the body names
 * a local payment, within the account's budget).
 */
export class PayPalWebhookVerifier {
  private readonly certificates = new Map<string, CachedCertificate | Promise<CachedCertificate>>();

  async verify(
    ctx: ProviderCallContext,
    webhook: InboundWebhook,
    io?: WebhookVerificationIo,
  ): Promise<void> {
    const header = (name: string) => {
      const value = webhook.headers[name];
      if (!value) throw new WebhookVerificationError(`missing ${name}`);
      return value;
    };
    const transmissionId = header(HEADERS.transmissionId);
    const transmissionTime = header(HEADERS.transmissionTime);
    const signature = header(HEADERS.transmissionSig);
    const certUrl = header(HEADERS.certUrl);
    if (header(HEADERS.authAlgo) !== ALGORITHM)
      throw new WebhookVerificationError(`unsupported ${HEADERS.authAlgo}`);
    const key = await this.certificateKey(ctx, this.certificateLocation(ctx, certUrl), io);
    const signed = `${transmissionId}|${transmissionTime}|${ctx.account.credentials.webhookId}|${crc32(webhook.rawBody)}`;
    let valid = false;
    try {
      valid = verify('sha256', Buffer.from(signed, 'utf8'), key, Buffer.from(signature, 'base64'));
    } catch {
      valid = false;
    }
    if (!valid) throw new WebhookVerificationError('PAYPAL-TRANSMISSION-SIG does not verify');
  }

  /** Where to download the certificate from, or a verification error for a URL PayPal would not use. */
  private certificateLocation(ctx: ProviderCallContext, certUrl: string): string {
    let url: URL;
    try {
      url = new URL(certUrl);
    } catch {
      throw new WebhookVerificationError('PAYPAL-CERT-URL is not a URL');
    }
    const plain =
      !url.username &&
      !url.password &&
      !url.search &&
      !url.hash &&
      (url.port === '' || url.port === '443');
    if (
      url.protocol !== 'https:' ||
      !PAYPAL_CERT_HOSTS.has(url.hostname) ||
      !CERT_PATH.test(url.pathname) ||
      !plain
    ) {
      throw new WebhookVerificationError('PAYPAL-CERT-URL is not a PayPal certificate URL');
    }
    return ctx.account.baseUrl
      ? `${ctx.account.baseUrl.replace(/\/+$/, '')}${url.pathname}`
      : url.href;
  }

  private async certificateKey(
    ctx: ProviderCallContext,
    location: string,
    io?: WebhookVerificationIo,
  ): Promise<KeyObject> {
    const cached = this.certificates.get(location);
    if (cached) {
      const certificate = await cached;
      if (certificate.validTo > Date.now()) return certificate.key;
      this.certificates.delete(location);
    }
    if (!io || !(await io.mayFetch())) {
      throw new WebhookVerificationError(
        'signing certificate not cached, and this delivery may not download it',
      );
    }
    // Concurrent deliveries share one download.
    const download = this.download(ctx, location);
    if (this.certificates.size >= MAX_CACHED)
      this.certificates.delete(this.certificates.keys().next().value!);
    this.certificates.set(location, download);
    try {
      const certificate = await download;
      this.certificates.set(location, certificate);
      return certificate.key;
    } catch (error) {
      this.certificates.delete(location);
      throw error;
    }
  }

  private async download(ctx: ProviderCallContext, location: string): Promise<CachedCertificate> {
    const response = await ctx.http.request({
      method: 'GET',
      url: location,
      headers: { accept: 'application/x-pem-file, */*' },
    });
    // No such certificate: the signature cannot be PayPal's. Anything else (5xx, a timeout)
    // is PayPal's trouble, answered 5xx so that PayPal delivers again later.
    if (response.status === 404)
      throw new WebhookVerificationError('PAYPAL-CERT-URL names no certificate');
    if (response.status !== 200)
      throw ProviderError.fromHttpStatus(
        response.status,
        `PayPal certificate download answered ${response.status}`,
      );
    if (response.text.length > MAX_CERT_CHARS)
      throw new WebhookVerificationError('the signing certificate is too large');
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(response.text);
    } catch {
      throw new WebhookVerificationError('PAYPAL-CERT-URL does not serve a certificate');
    }
    const now = Date.now();
    const validTo = Date.parse(certificate.validTo);
    if (!(Date.parse(certificate.validFrom) <= now && now < validTo))
      throw new WebhookVerificationError('the signing certificate is not currently valid');
    if (!SIGNING_SUBJECT.test(certificate.subject))
      throw new WebhookVerificationError('the signing certificate is not issued to PayPal');
    return { key: certificate.publicKey, validTo };
  }
}
