import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import * as amqp from 'amqplib';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../../config/app.config';

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
const PUBLISH_ID_HEADER = 'x-paymentserver-publish-id';

export class BrokerUnavailableError extends Error {
  constructor(message = 'RabbitMQ is not connected') {
    super(message);
  }
}

/**
 * One AMQP connection with one confirm channel, opened in the background at start-up and
 * reopened with growing back-off whenever it drops. The server never waits for it: while it
 * is down, RabbitMQ deliveries simply wait.
 */
@Injectable()
export class RabbitMqConnection implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RabbitMQ');
  /** Shown in the broker's connection list (lets operators and tests find this instance). */
  readonly connectionName = `paymentserver pid=${process.pid} ${randomBytes(4).toString('hex')}`;
  private model?: amqp.ChannelModel;
  private channel?: amqp.ConfirmChannel;
  private declared = new Set<string>();
  /** Publish ids the broker returned as unroutable (basic.return comes before the ack). */
  private returned = new Set<string>();
  private backoffMs = MIN_BACKOFF_MS;
  private reconnectTimer?: NodeJS.Timeout;
  private connecting = false;
  private stopped = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get configured(): boolean {
    return this.config.notifications.rabbitmqUrl !== undefined;
  }

  get connected(): boolean {
    return this.channel !== undefined;
  }

  onApplicationBootstrap(): void {
    if (this.configured) void this.connect();
  }

  /** After the worker has stopped (onModuleDestroy), so in-flight publishes settle first. */
  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    const model = this.model;
    this.model = undefined;
    this.channel = undefined;
    await model?.close().catch(() => undefined);
  }

  /** Resolves once the broker has confirmed the message; rejects on nack, return or a drop. */
  async publish(
    exchange: string,
    routingKey: string,
    body: string,
    properties: { messageId: string; type: string },
    timeoutMs: number,
  ): Promise<void> {
    const channel = this.channel;
    if (!channel) throw new BrokerUnavailableError();
    if (!this.declared.has(exchange)) await this.declare(exchange);
    const publishId = randomBytes(12).toString('hex');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no publisher confirm within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const settle = (error: unknown) => {
        clearTimeout(timer);
        if (this.returned.delete(publishId)) {
          reject(new Error(`unroutable: no queue is bound to ${exchange} for ${routingKey}`));
        } else if ((error as Error | null)?.message === 'channel closed') {
          // amqplib fails outstanding confirms this way when the channel or connection drops.
          reject(new BrokerUnavailableError('the connection dropped before the broker confirmed'));
        } else if (error) {
          reject(new Error(`broker did not confirm: ${(error as Error).message ?? String(error)}`));
        } else {
          resolve();
        }
      };
      try {
        channel.publish(
          exchange,
          routingKey,
          Buffer.from(body),
          {
            persistent: true,
            mandatory: true,
            contentType: 'application/json',
            messageId: properties.messageId,
            type: properties.type,
            timestamp: Math.floor(Date.now() / 1000),
            headers: { [PUBLISH_ID_HEADER]: publishId },
          },
          settle,
        );
      } catch (error) {
        // The channel closed between our check and the publish.
        clearTimeout(timer);
        reject(
          new BrokerUnavailableError(`RabbitMQ channel unusable: ${(error as Error).message}`),
        );
      }
    });
  }

  /**
   * Declares the exchange on a channel of its own: if it exists with another type the broker
   * closes that channel only, and the publishing channel (with other endpoints' confirms
   * outstanding) carries on.
   */
  private async declare(exchange: string): Promise<void> {
    const model = this.model;
    if (!model) throw new BrokerUnavailableError();
    let channel: amqp.Channel;
    try {
      channel = await model.createChannel();
    } catch (error) {
      throw new BrokerUnavailableError(`RabbitMQ channel unusable: ${(error as Error).message}`);
    }
    channel.on('error', () => undefined);
    try {
      await channel.assertExchange(exchange, 'topic', { durable: true });
      this.declared.add(exchange);
    } catch (error) {
      throw new Error(`cannot declare topic exchange ${exchange}: ${(error as Error).message}`);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  private async connect(): Promise<void> {
    if (this.connecting || this.stopped || this.channel) return;
    this.connecting = true;
    let model: amqp.ChannelModel | undefined;
    try {
      model = await amqp.connect(this.config.notifications.rabbitmqUrl!, {
        timeout: 5000,
        clientProperties: { connection_name: this.connectionName },
      });
      model.on('error', (error: Error) =>
        this.logger.warn({ msg: 'connection error', error: error.message }),
      );
      model.on('close', () => this.lost(model!));
      const channel = await model.createConfirmChannel();
      channel.on('error', (error: Error) =>
        this.logger.warn({ msg: 'channel error', error: error.message }),
      );
      channel.on('close', () => this.lost(model!));
      channel.on('return', (message: amqp.Message) => {
        const id = message.properties.headers?.[PUBLISH_ID_HEADER];
        if (typeof id === 'string') this.returned.add(id);
      });
      if (this.stopped) {
        await model.close().catch(() => undefined);
        return;
      }
      this.model = model;
      this.channel = channel;
      this.declared.clear();
      this.backoffMs = MIN_BACKOFF_MS;
      this.logger.log({ msg: 'connected', connectionName: this.connectionName });
    } catch (error) {
      await model?.close().catch(() => undefined);
      this.logger.warn({
        msg: 'cannot connect',
        error: (error as Error).message,
        retryInMs: this.backoffMs,
      });
      this.scheduleReconnect();
    } finally {
      this.connecting = false;
    }
  }

  private lost(model: amqp.ChannelModel): void {
    if (this.model !== model) return;
    this.model = undefined;
    this.channel = undefined;
    void model.close().catch(() => undefined);
    if (this.stopped) return;
    this.logger.warn({ msg: 'connection lost; reconnecting', retryInMs: this.backoffMs });
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.connect(), this.backoffMs);
    this.reconnectTimer.unref();
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }
}
