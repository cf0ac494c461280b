import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookVerificationError } from '../provider-error';
import type { InboundWebhook } from '../provider.interface';
import type { MultiSafepayOrder } from './multisafepay.types';

/** How old a notification's timestamp may be (MultiSafepay's own SDK default). */
const NOTIFICATION_MAX_AGE_SECONDS = 600;

/** The `Auth` header of a POST notification: base64("<timestamp>:<hex HMAC-SHA512(apiKey, "<timestamp>:<body>")>"). */
export function multisafepayAuthHeader(apiKey: string, timestamp: number, body: string): string {
  return Buffer.from(
    `${timestamp}:${multisafepaySignature(apiKey, String(timestamp), body)}`,
  ).toString('base64');
}

function multisafepaySignature(apiKey: string, timestamp: string, body: string): string {
  return createHmac('sha512', apiKey.trim()).update(`${timestamp}:${body}`).digest('hex');
}

/** Throws WebhookVerificationError unless the `Auth` header signs this body, recently, with `apiKey`. */
export function verifyMultisafepayNotification(apiKey: string, webhook: InboundWebhook): void {
  const header = webhook.headers['auth'];
  if (!header)
    throw new WebhookVerificationError('MultiSafepay notification without an Auth header');
  const decoded = Buffer.from(header, 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  const timestamp = decoded.slice(0, separator);
  if (separator < 1 || !/^\d+$/.test(timestamp))
    throw new WebhookVerificationError('malformed MultiSafepay Auth header');
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > NOTIFICATION_MAX_AGE_SECONDS)
    throw new WebhookVerificationError('MultiSafepay notification is too old');
  const expected = Buffer.from(
    multisafepaySignature(apiKey, timestamp, webhook.rawBody.toString('utf8')),
  );
  const given = Buffer.from(decoded.slice(separator + 1).trim());
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    throw new WebhookVerificationError('MultiSafepay Auth signature did not verify');
}

export function readMultisafepayOrder(webhook: InboundWebhook): MultiSafepayOrder | undefined {
  try {
    const order = JSON.parse(webhook.rawBody.toString('utf8')) as MultiSafepayOrder;
    return order && typeof order === 'object' ? order : undefined;
  } catch {
    return undefined;
  }
}
