import { Writable } from 'node:stream';
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
    return { logger: createHttpLogger({ format: 'json', level: 'info' }, stream).logger, lines };
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
});
