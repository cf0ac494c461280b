import { Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app.config';

export const TEST_SIGNATURE_HEADER = 'test-signature';
const TOLERANCE_SECONDS = 300;

/**
 * Signs and verifies the test provider's webhooks the way Stripe-like PSPs do:
 * `Test-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`. The per-account key is
 * derived from the server's encryption key, so nothing extra needs storing.
 */
@Injectable()
export class TestWebhookSigner {
  /** Derived keys per account: the encryption key they come from is fixed at start. */
  private readonly keys = new Map<string, Buffer>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private key(accountId: string): Buffer {
    let key = this.keys.get(accountId);
    if (!key) {
      key = createHmac('sha256', this.config.security.encryptionKeys[0])
        .update(`test-provider-webhook:${accountId}`)
        .digest();
      // Account ids come from the URL: an unknown one never gets here (404 first), but bound it anyway.
      if (this.keys.size >= 1000) this.keys.clear();
      this.keys.set(accountId, key);
    }
    return key;
  }

  sign(accountId: string, body: string, timestamp = Math.floor(Date.now() / 1000)): string {
    const mac = createHmac('sha256', this.key(accountId))
      .update(`${timestamp}.${body}`)
      .digest('hex');
    return `t=${timestamp},v1=${mac}`;
  }

  verify(accountId: string, body: Buffer, header: string | undefined): boolean {
    if (!header) return false;
    const parts = Object.fromEntries(
      header.split(',').map((part) => part.trim().split('=', 2) as [string, string]),
    );
    const timestamp = Number(parts.t);
    if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > TOLERANCE_SECONDS)
      return false;
    const expected = createHmac('sha256', this.key(accountId))
      .update(`${timestamp}.`)
      .update(body)
      .digest();
    const given = Buffer.from(parts.v1 ?? '', 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
