import { redact, redactText } from '../common/logging/redact';
import type { WebhookDelivery } from './webhook-delivery.entity';

const MASK = '[REDACTED]';
/** Headers whose value proves or grants something (signatures, Auth, tokens, keys, cookies). */
const SECRET_HEADER = /(sig|auth|token|secret|key|hmac|cookie|password|credential)/i;

/** An inbox row as the admin list shows it. */
export function toProviderWebhookView(row: WebhookDelivery) {
  return {
    id: row.id,
    provider: row.provider,
    providerAccountId: row.providerAccountId,
    status: row.status,
    verified: row.verified,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt?.toISOString() ?? null,
    error: row.error,
    paymentId: row.paymentId,
    receivedAt: row.receivedAt.toISOString(),
    processedAt: row.processedAt?.toISOString() ?? null,
  };
}

/** One inbox row with what was received, never showing a signature, secret or card-like number. */
export function toProviderWebhookDetail(row: WebhookDelivery) {
  return {
    ...toProviderWebhookView(row),
    lastAttemptAt: row.lastAttemptAt?.toISOString() ?? null,
    headers: maskHeaders(row.headers ?? {}),
    body: maskBody(row.body, row.headers?.['content-type'] ?? ''),
  };
}

export function maskHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      SECRET_HEADER.test(name) ? MASK : redactText(value),
    ]),
  );
}

/** JSON and form bodies are masked field by field (Adyen's hmacSignature, Stripe's client_secret). */
export function maskBody(body: string, contentType: string): string {
  try {
    return JSON.stringify(redact(JSON.parse(body)));
  } catch {
    // not JSON
  }
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    const fields = [...new URLSearchParams(body)].map(([name, value]) => {
      const masked = (redact({ [name]: value }) as Record<string, string>)[name];
      return `${encodeURIComponent(name)}=${masked === value ? encodeURIComponent(value) : masked}`;
    });
    return fields.join('&');
  }
  return redactText(body);
}
