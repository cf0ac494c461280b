import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import type { Channel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../../config/app.config';

const PUBLISH_ID_HEADER = 'x-paymentserver-publish-id';
/** amqp-connection-manager reconnects at a fixed pace (it has no back-off). */
const RECONNECT_SECONDS = 2;
const HEARTBEAT_SECONDS = 5;
const CONNECT_TIMEOUT_MS = 5000;

/** amqp-connection-manager's ChannelWrapper reads `timeout` from the publish options. */
type PublishOptions = Options.Publish & { timeout?: number };

export class BrokerUnavailableError extends Error {
  constructor(message = 'RabbitMQ is not connected') {
    super(message);
  }
}

/**
 * The server's one AMQP connection to the broker URL, through @golevelup/nestjs-rabbitmq's
 * `AmqpConnection` (amqp-connection-manager underneath): a confirm channel, opened in the
 * background at start-up and reopened whenever the connection drops. The server never waits
 * for it: while it is down, RabbitMQ deliveries simply wait.
 *
 * The AmqpConnection is built here rather than by `RabbitMQModule.forRoot`: the module keeps
 * its connections in a static, process-wide registry keyed by name and closes all of them when
 * any application shuts down, so two servers in one process (the cluster tests) would share
 * and close each other's connection.
 */
@Injectable()
export class RabbitMqConnection implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RabbitMQ');
  /** Shown in the broker's connection list (lets operators and tests find this instance). */
  readonly connectionName = `paymentserver pid=${process.pid} ${randomBytes(4).toString('hex')}`;
  private amqp?: AmqpConnection;
  /** The confirm channel under the library's managed channel, while it is open. */
  private channel?: ConfirmChannel;
  /** Bumped whenever that channel closes: a publish that saw it change met a drop. */
  private generation = 0;
  private declared = new Set<string>();
  /** Publish ids the broker returned as unroutable (basic.return comes before the ack). */
  private returned = new Set<string>();
  private unreachable = false;
  private stopped = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get configured(): boolean {
    return this.config.notifications.rabbitmqUrl !== undefined;
  }

  get connected(): boolean {
    return this.channel !== undefined && this.amqp?.connected === true;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.configured) return;
    const amqp = new AmqpConnection({
      name: 'notifications',
      uri: this.config.notifications.rabbitmqUrl!,
      logger: this.logger,
      // Publishing only: no RPC reply consumer, no @RabbitSubscribe handlers.
      enableDirectReplyTo: false,
      registerHandlers: false,
      // Start without the broker; deliveries wait until it is there.
      connectionInitOptions: { wait: false, skipConnectionFailedLogging: true },
      connectionManagerOptions: {
        heartbeatIntervalInSeconds: HEARTBEAT_SECONDS,
        reconnectTimeInSeconds: RECONNECT_SECONDS,
        connectionOptions: {
          timeout: CONNECT_TIMEOUT_MS,
          clientProperties: { connection_name: this.connectionName },
        },
      },
    });
    await amqp.init();
    // One line per outage instead of one per reconnect attempt.
    amqp.managedConnection.on('connectFailed', ({ err }: { err: Error }) => {
      if (this.unreachable) return;
      this.unreachable = true;
      this.logger.warn({
        msg: 'cannot reach the broker; retrying',
        error: err.message,
        retryEverySeconds: RECONNECT_SECONDS,
      });
    });
    amqp.managedConnection.on('connect', () => (this.unreachable = false));
    await amqp.managedChannel.addSetup((channel: ConfirmChannel) => this.attach(channel));
    this.amqp = amqp;
  }

  /** After the worker has stopped (onModuleDestroy), so in-flight publishes settle first. */
  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    const amqp = this.amqp;
    this.amqp = undefined;
    this.channel = undefined;
    await amqp?.close().catch(() => undefined);
  }

  /** Resolves once the broker has confirmed the message; rejects on nack, return or a drop. */
  async publish(
    exchange: string,
    routingKey: string,
    body: string,
    properties: { messageId: string; type: string },
    timeoutMs: number,
  ): Promise<void> {
    const amqp = this.amqp;
    if (!amqp || !this.connected) throw new BrokerUnavailableError();
    if (!this.declared.has(exchange)) await this.declare(exchange);
    const publishId = randomBytes(12).toString('hex');
    const generation = this.generation;
    const options: PublishOptions = {
      persistent: true,
      mandatory: true,
      contentType: 'application/json',
      messageId: properties.messageId,
      type: properties.type,
      timestamp: Math.floor(Date.now() / 1000),
      headers: { [PUBLISH_ID_HEADER]: publishId },
      timeout: timeoutMs,
    };
    try {
      // Resolves on the broker's ack (a confirm channel), rejects on a nack.
      await amqp.publish(exchange, routingKey, Buffer.from(body), options);
    } catch (error) {
      this.returned.delete(publishId);
      const message = (error as Error).message;
      // The library re-sends what was still queued after a reconnect; what was in flight when
      // the channel closed fails with "channel closed". Either way the drop is ours, not the
      // endpoint's.
      if (generation !== this.generation || this.stopped || message === 'channel closed') {
        throw new BrokerUnavailableError('the connection dropped before the broker confirmed');
      }
      if (message === 'timeout') throw new Error(`no publisher confirm within ${timeoutMs} ms`);
      throw new Error(`broker did not confirm: ${message}`);
    }
    if (this.returned.delete(publishId)) {
      throw new Error(`unroutable: no queue is bound to ${exchange} for ${routingKey}`);
    }
  }

  /** Runs for every confirm channel the library opens (at start and after each reconnect). */
  private attach(channel: ConfirmChannel): void {
    this.declared.clear();
    channel.on('error', (error: Error) =>
      this.logger.warn({ msg: 'channel error', error: error.message }),
    );
    channel.on('return', (message: ConsumeMessage) => {
      const id = message.properties.headers?.[PUBLISH_ID_HEADER];
      if (typeof id === 'string') this.returned.add(id);
    });
    channel.once('close', () => {
      if (this.channel === channel) this.channel = undefined;
      this.generation++;
      // The library opens a new channel only on a new connection. When just the channel
      // closed (a channel-level error), force one; when the whole connection went, its own
      // reconnect is already under way (checked after the close events have run).
      setImmediate(() => {
        if (!this.stopped && this.channel === undefined && this.amqp?.connected) {
          this.amqp.managedConnection.reconnect();
        }
      });
    });
    this.channel = channel;
  }

  /**
   * Declares the exchange on a short-lived channel of the current connection: if it exists
   * with another type the broker closes that channel only, and the publishing channel (with
   * other endpoints' confirms outstanding) carries on.
   */
  private async declare(exchange: string): Promise<void> {
    const connection = this.amqp?.managedConnection.connection;
    if (!connection) throw new BrokerUnavailableError();
    let channel: Channel;
    try {
      channel = await connection.createChannel();
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
}
