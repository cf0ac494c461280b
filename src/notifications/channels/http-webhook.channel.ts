import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import { ResolvedAddress, TargetGuard, TargetRefusedError } from '../target-guard';
import type {
  ChannelResult,
  ChannelTarget,
  NotificationChannel,
  OutgoingEvent,
} from './notification-channel';

/** Retry-After longer than this is capped: the retry schedule still decides when to give up. */
const MAX_RETRY_AFTER_SECONDS = 86_400;

/**
 * Standard Webhooks over HTTP(S): webhook-id is the event id (the same on every retry),
 * webhook-timestamp is fresh per attempt, webhook-signature carries one v1 signature per
 * valid secret. Redirects are never followed; the connection goes to the address the target
 * guard checked.
 */
@Injectable()
export class HttpWebhookChannel implements NotificationChannel {
  readonly type = 'webhook' as const;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly guard: TargetGuard,
  ) {}

  available(): boolean {
    return true;
  }

  static signatureHeader(
    secrets: string[],
    eventId: string,
    timestamp: Date,
    body: string,
  ): string {
    return secrets.map((secret) => new Webhook(secret).sign(eventId, timestamp, body)).join(' ');
  }

  async send(target: ChannelTarget, event: OutgoingEvent): Promise<ChannelResult> {
    const url = new URL(target.url!);
    // One absolute deadline for the whole request, DNS included: a socket timeout alone
    // restarts with every byte, so a target dripping its answer could hold a slot for ever.
    const deadlineMs = this.config.notifications.httpTimeoutSeconds * 1000;
    const deadline = AbortSignal.timeout(deadlineMs);
    const overdue = `no answer within ${deadlineMs} ms (the deadline for connect, headers and body)`;
    let resolved: ResolvedAddress[];
    try {
      resolved = await Promise.race([
        this.guard.resolveTarget(url.hostname),
        new Promise<never>((_, reject) =>
          deadline.addEventListener('abort', () => reject(new Error(overdue)), { once: true }),
        ),
      ]);
    } catch (error) {
      const message =
        error instanceof TargetRefusedError
          ? error.message
          : `DNS lookup failed: ${(error as Error).message}`;
      return { ok: false, error: message };
    }
    const timestamp = new Date();
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'PaymentServer-Webhooks/1',
      'webhook-id': event.id,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': HttpWebhookChannel.signatureHeader(
        target.secrets,
        event.id,
        timestamp,
        event.body,
      ),
      'content-length': String(Buffer.byteLength(event.body)),
    };
    // Connect to the checked addresses only; TLS still verifies the certificate for the hostname.
    // Node asks for all of them (autoSelectFamily) and tries the next when one cannot be reached.
    const lookup: LookupFunction = (_hostname, options, callback) => {
      if ((options as { all?: boolean }).all) {
        (callback as unknown as (e: null, all: ResolvedAddress[]) => void)(null, resolved);
      } else {
        callback(null, resolved[0].address, resolved[0].family);
      }
    };
    const client = url.protocol === 'https:' ? https : http;
    return new Promise<ChannelResult>((resolve) => {
      let expired = deadline.aborted;
      let status: number | undefined;
      deadline.addEventListener('abort', () => (expired = true), { once: true });
      const request = client.request(
        url,
        { method: 'POST', headers, lookup, agent: false, signal: deadline },
        (response) => {
          status = response.statusCode ?? 0;
          // The body is not needed; read (and drop) at most a little of it.
          let received = 0;
          response.on('data', (chunk: Buffer) => {
            received += chunk.length;
            if (received > 64 * 1024) response.destroy();
          });
          response.on('error', () => undefined);
          response.on('close', () =>
            // An answer cut off by the deadline counts as none, whatever its status line said.
            resolve(
              expired
                ? { ok: false, responseCode: status, error: overdue }
                : this.interpret(status!, response.headers['retry-after']),
            ),
          );
        },
      );
      request.on('error', (error) =>
        resolve({ ok: false, responseCode: status, error: expired ? overdue : error.message }),
      );
      request.end(event.body);
    });
  }

  private interpret(status: number, retryAfter: string | undefined): ChannelResult {
    if (status >= 200 && status < 300) return { ok: true, responseCode: status };
    if (status === 410)
      return { ok: false, responseCode: status, gone: true, error: 'target answered 410 Gone' };
    const result: ChannelResult = {
      ok: false,
      responseCode: status,
      error: `target answered ${status}`,
    };
    if (status >= 300 && status < 400)
      result.error = `target answered ${status} (redirects are not followed)`;
    // A target that says when to come back (429, or 503 while it is down for a while) is
    // believed, within a bound: Standard Webhooks asks senders to take Retry-After into account.
    if ((status === 429 || status === 503) && retryAfter) {
      const seconds = /^\d+$/.test(retryAfter)
        ? Number(retryAfter)
        : (Date.parse(retryAfter) - Date.now()) / 1000;
      if (Number.isFinite(seconds))
        result.retryAfterSeconds = Math.min(
          Math.max(0, Math.ceil(seconds)),
          MAX_RETRY_AFTER_SECONDS,
        );
    }
    return result;
  }
}
