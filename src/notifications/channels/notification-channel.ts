import type { EndpointType } from '../notification-endpoint.entity';

/** The event as stored in the outbox: its id, type and the exact body every channel sends. */
export interface OutgoingEvent {
  id: string;
  type: string;
  body: string;
}

/** Per call: where to send and with which secrets. Channels keep no per-endpoint state. */
export interface ChannelTarget {
  endpointId: string;
  url: string | null;
  exchange: string | null;
  routingKeyPrefix: string | null;
  /** Webhook signing secrets (whsec_…): the current one first, then one still in its grace period. */
  secrets: string[];
}

export interface ChannelResult {
  ok: boolean;
  responseCode?: number;
  error?: string;
  /** The target asked us to wait this long (429 Retry-After). */
  retryAfterSeconds?: number;
  /** The target is gone for good (410): disable the endpoint. */
  gone?: boolean;
  /** Our side could not try (broker down): retry soon without using up the schedule. */
  notAttempted?: boolean;
}

export interface NotificationChannel {
  readonly type: EndpointType;
  /** False while the channel cannot send at all (broker down); its rows wait. */
  available(): boolean;
  send(target: ChannelTarget, event: OutgoingEvent): Promise<ChannelResult>;
}

export const NOTIFICATION_CHANNELS = Symbol('NOTIFICATION_CHANNELS');
