import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as amqp from 'amqplib';
import { serviceUrl } from './services';

const run = promisify(execFile);

export interface ConsumedMessage {
  routingKey: string;
  exchange: string;
  properties: amqp.MessageProperties;
  body: string;
}

/** A test-side consumer: an exclusive queue bound to the exchange, collecting every message. */
export class RabbitConsumer {
  readonly messages: ConsumedMessage[] = [];
  private constructor(
    private readonly model: amqp.ChannelModel,
    readonly queue: string,
  ) {}

  static async bind(
    exchange: string,
    bindingKey = '#',
    url = serviceUrl('rabbitmq')!,
  ): Promise<RabbitConsumer> {
    const model = await amqp.connect(url);
    const channel = await model.createChannel();
    await channel.assertExchange(exchange, 'topic', { durable: true });
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    await channel.bindQueue(queue, exchange, bindingKey);
    const consumer = new RabbitConsumer(model, queue);
    await channel.consume(
      queue,
      (message) => {
        if (!message) return;
        consumer.messages.push({
          routingKey: message.fields.routingKey,
          exchange: message.fields.exchange,
          properties: message.properties,
          body: message.content.toString('utf8'),
        });
      },
      { noAck: true },
    );
    return consumer;
  }

  async close(): Promise<void> {
    await this.model.close().catch(() => undefined);
  }
}

/**
 * Drops the broker connections whose client-provided name contains `nameContains`, from the
 * broker side: through the management API when the plugin is on, else with rabbitmqctl.
 * Returns how many it closed.
 */
export async function dropBrokerConnections(nameContains: string): Promise<number> {
  const management =
    process.env.PAYMENTSERVER_TEST_RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672';
  const base = new URL(management);
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64')}`;
  base.username = '';
  base.password = '';
  try {
    const response = await fetch(new URL('/api/connections', base), {
      headers: { authorization: auth },
    });
    if (response.ok) {
      const connections = (await response.json()) as {
        name: string;
        user_provided_name?: string;
      }[];
      const matching = connections.filter((c) => c.user_provided_name?.includes(nameContains));
      for (const c of matching) {
        await fetch(new URL(`/api/connections/${encodeURIComponent(c.name)}`, base), {
          method: 'DELETE',
          headers: { authorization: auth, 'x-reason': 'test drops the connection' },
        });
      }
      return matching.length;
    }
  } catch {
    /* no management plugin: fall through to rabbitmqctl */
  }
  const { stdout } = await run('rabbitmqctl', [
    '-q',
    'list_connections',
    '--no-table-headers',
    'pid',
    'client_properties',
  ]);
  let closed = 0;
  for (const line of stdout.split('\n')) {
    const [pid, properties] = line.split('\t');
    if (!pid || !properties?.includes(`{"connection_name","${nameContains}`)) continue;
    await run('rabbitmqctl', ['-q', 'close_connection', pid, 'test drops the connection']);
    closed++;
  }
  return closed;
}

/** Stops the broker application (the Erlang node stays up), as in a broker restart. */
export async function stopBroker(): Promise<void> {
  await run('rabbitmqctl', ['-q', 'stop_app']);
}

export async function startBroker(): Promise<void> {
  await run('rabbitmqctl', ['-q', 'start_app']);
  await run('rabbitmqctl', ['-q', 'await_startup']);
}

/** Reads (and acknowledges) what a durable queue holds right now. */
export async function drainQueue(queue: string): Promise<ConsumedMessage[]> {
  const model = await amqp.connect(serviceUrl('rabbitmq')!);
  try {
    const channel = await model.createChannel();
    const messages: ConsumedMessage[] = [];
    for (;;) {
      const message = await channel.get(queue, { noAck: true });
      if (!message) return messages;
      messages.push({
        routingKey: message.fields.routingKey,
        exchange: message.fields.exchange,
        properties: message.properties,
        body: message.content.toString('utf8'),
      });
    }
  } finally {
    await model.close().catch(() => undefined);
  }
}
