import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import type { Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';
import { createHttpLogger } from './http-logger';

describe('createHttpLogger', () => {
  function capture() {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(
          ...chunk
            .toString()
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line)),
        );
        done();
      },
    });
    const middleware = createHttpLogger({ format: 'json', level: 'info' }, stream);
    return { middleware, logger: middleware.logger, lines };
  }

  function request(url: string, requestId?: string) {
    const req = {
      method: 'POST',
      url,
      originalUrl: url,
      requestId,
      socket: {},
    } as unknown as Request;
    const res = Object.assign(new EventEmitter(), { statusCode: 201 }) as unknown as Response;
    return { req, res };
  }

  it('writes JSON with the level as a word and an ISO time', () => {
    const { logger, lines } = capture();
    logger.warn({ msg: 'hello', paymentId: 'pay_1' });
    expect(lines[0]).toMatchObject({ level: 'warn', msg: 'hello', paymentId: 'pay_1' });
    expect(new Date(lines[0].time as string).toISOString()).toBe(lines[0].time);
  });

  it('scrubs secret-named fields, card-like numbers, keys and bearer tokens, in fields and messages', () => {
    const { logger, lines } = capture();
    logger.warn({
      msg: 'card 4111 1111 1111 1111 refused',
      apiKey: 'psk_live_abcdefghijkl',
      detail: { authorization: 'Bearer abc.def.ghi', note: 'key sk_test_1234567890' },
      broker: 'amqp://guest:hunter2@rabbit:5672',
    });
    logger.info('token Bearer eyJhbGciOi.x.y for 5555-5555-5555-4444');
    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/4111|5555|psk_live_abc|eyJhbGciOi|abc\.def|sk_test_123|hunter2/);
    expect(lines[0]).toMatchObject({
      apiKey: '[REDACTED]',
      detail: { authorization: '[REDACTED]' },
      broker: 'amqp://guest:[REDACTED]@rabbit:5672',
    });
  });

  it('drops lines below the configured level', () => {
    const { logger, lines } = capture();
    logger.debug('not shown');
    logger.info('shown');
    expect(lines.map((line) => line.msg)).toEqual(['shown']);
  });

  it('writes one line per request, with its id, method, scrubbed path, status and time', () => {
    const { middleware, lines } = capture();
    const { req, res } = request('/api/v1/payments/4111111111111111?token=abc', 'req-1');
    middleware(req, res, () => undefined);
    res.statusCode = 404;
    res.emit('finish');
    res.emit('close');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      requestId: 'req-1',
      req: { method: 'POST', url: '/api/v1/payments/[REDACTED_NUMBER]?token=[REDACTED]' },
      res: { statusCode: 404 },
      responseTime: expect.any(Number),
      msg: expect.stringMatching(
        /^POST \/api\/v1\/payments\/\[REDACTED_NUMBER\]\?token=\[REDACTED\] 404 \d+ ms$/,
      ),
    });
    expect(JSON.stringify(lines)).not.toMatch(/4111|abc/);
  });

  it('logs a 5xx answer at error level, and a request cut off before its answer', () => {
    const { middleware, lines } = capture();
    const failed = request('/api/v1/payments', 'req-2');
    middleware(failed.req, failed.res, () => undefined);
    failed.res.statusCode = 503;
    failed.res.emit('finish');
    const aborted = request('/api/v1/payments', 'req-3');
    middleware(aborted.req, aborted.res, () => undefined);
    aborted.res.emit('close');
    expect(lines.map((line) => [line.requestId, line.level])).toEqual([
      ['req-2', 'error'],
      ['req-3', 'info'],
    ]);
  });

  it('leaves out health probes and metrics scrapes', () => {
    const { middleware, lines } = capture();
    for (const url of ['/health/live', '/health/ready', '/metrics']) {
      const { req, res } = request(url, 'probe');
      middleware(req, res, () => undefined);
      res.emit('finish');
    }
    expect(lines).toHaveLength(0);
  });

  it('gives lines logged while handling the request its id, and lines outside none', () => {
    const { middleware, lines } = capture();
    const nest = new PinoLogger({});
    const { req, res } = request('/api/v1/payments', 'req-4');
    middleware(req, res, () => nest.warn({ msg: 'inside' }));
    nest.warn({ msg: 'outside' });
    expect(lines.find((line) => line.msg === 'inside')).toMatchObject({ requestId: 'req-4' });
    expect(lines.find((line) => line.msg === 'outside')).toBeUndefined();
  });
});
