import { Webhook } from 'standardwebhooks';
import type { AppConfig } from '../../src/config/app.config';
import { HttpWebhookChannel } from '../../src/notifications/channels/http-webhook.channel';
import { TargetGuard } from '../../src/notifications/target-guard';
import { WebhookReceiver } from '../support/webhook-receiver';

/** The HTTP channel on its own, against a real local receiver. */
describe('HttpWebhookChannel', () => {
  let receiver: WebhookReceiver;
  const config = { notifications: { httpTimeoutSeconds: 2 } } as AppConfig;
  const secret = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
  const event = { id: 'evt_channel', type: 'payment.status_changed', body: '{"id":"evt_channel"}' };
  const target = (url: string) => ({
    endpointId: 'ne_x',
    url,
    exchange: null,
    routingKeyPrefix: null,
    secrets: [secret],
  });

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
  });

  afterAll(async () => {
    await receiver.stop();
  });

  it('connects to the address the guard checked, without a second DNS lookup (no rebinding window)', async () => {
    const resolve = jest.fn(async () => [{ address: '127.0.0.1', family: 4 }]);
    const channel = new HttpWebhookChannel(config, new TargetGuard(true, resolve));
    // shop.invalid can never resolve in real DNS: the request can only arrive through the pinned address.
    const result = await channel.send(target(`http://shop.invalid:${receiver.port}/pinned`), event);
    expect(result).toEqual({ ok: true, responseCode: 200 });
    expect(resolve).toHaveBeenCalledTimes(1);
    const [received] = receiver.at('/pinned');
    expect(received.headers.host).toBe(`shop.invalid:${receiver.port}`);
    expect(new Webhook(secret).verify(received.body, received.headers)).toEqual({
      id: 'evt_channel',
    });
  });

  it('tries the next checked address when the first cannot be reached', async () => {
    // The receiver listens on 127.0.0.1 only, so 127.0.0.2 (loopback too) refuses the connection.
    const resolve = async () => [
      { address: '127.0.0.2', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ];
    const channel = new HttpWebhookChannel(config, new TargetGuard(true, resolve));
    const result = await channel.send(target(`http://shop.invalid:${receiver.port}/second`), event);
    expect(result).toEqual({ ok: true, responseCode: 200 });
    expect(receiver.at('/second')).toHaveLength(1);
  });

  it('refuses to send when the name resolves inward and private targets are not allowed', async () => {
    const channel = new HttpWebhookChannel(
      config,
      new TargetGuard(false, async () => [{ address: '127.0.0.1', family: 4 }]),
    );
    const result = await channel.send(
      target(`http://shop.invalid:${receiver.port}/refused`),
      event,
    );
    expect(result.ok).toBe(false);
    expect(result.error).toContain('private or loopback');
    expect(receiver.at('/refused')).toHaveLength(0);
  });

  it('reads Retry-After as seconds or as an HTTP date', async () => {
    const channel = new HttpWebhookChannel(config, new TargetGuard(true));
    receiver.script('/later', { status: 429, headers: { 'retry-after': '120' } });
    expect(await channel.send(target(receiver.url('/later')), event)).toMatchObject({
      ok: false,
      responseCode: 429,
      retryAfterSeconds: 120,
    });
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    receiver.script('/later', { status: 429, headers: { 'retry-after': inAMinute } });
    const result = await channel.send(target(receiver.url('/later')), event);
    expect(result.retryAfterSeconds).toBeGreaterThanOrEqual(58);
    expect(result.retryAfterSeconds).toBeLessThanOrEqual(61);
  });

  it('also waits for the Retry-After of a 503, and for none of other failures', async () => {
    const channel = new HttpWebhookChannel(config, new TargetGuard(true));
    receiver.script('/down', { status: 503, headers: { 'retry-after': '300' } });
    expect(await channel.send(target(receiver.url('/down')), event)).toMatchObject({
      responseCode: 503,
      retryAfterSeconds: 300,
    });
    receiver.script('/broken', { status: 500, headers: { 'retry-after': '300' } });
    const broken = await channel.send(target(receiver.url('/broken')), event);
    expect(broken.retryAfterSeconds).toBeUndefined();
  });
});
