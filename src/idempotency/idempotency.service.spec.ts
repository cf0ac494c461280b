import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../database/data-source';
import { TransactionService } from '../database/transaction.service';
import { IdempotencyRecord } from './idempotency-record.entity';
import { IdempotencyService } from './idempotency.service';
import { ConflictError, UnprocessableError } from '../common/errors/domain-error';

describe('IdempotencyService (real in-memory SQLite)', () => {
  let dataSource: DataSource;
  let service: IdempotencyService;

  beforeEach(async () => {
    dataSource = new DataSource(
      buildDataSourceOptions({
        edition: 'community',
        driver: 'memory',
        url: '',
        migrationsRun: true,
      }),
    );
    await dataSource.initialize();
    await dataSource.runMigrations();
    service = new IdempotencyService(
      dataSource.getRepository(IdempotencyRecord),
      new TransactionService(dataSource),
    );
  });

  afterEach(async () => {
    await dataSource.destroy();
  });

  it('runs the handler once and replays its response for the same key and body', async () => {
    const handler = jest.fn(async () => ({ status: 201, body: { id: 'pay_1' } }));
    const first = await service.execute('int_a', 'create', 'k1', { a: 1, b: 2 }, handler);
    const second = await service.execute('int_a', 'create', 'k1', { b: 2, a: 1 }, handler);
    expect(first).toEqual({ status: 201, body: { id: 'pay_1' }, replayed: false });
    expect(second).toEqual({ status: 201, body: { id: 'pay_1' }, replayed: true });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('refuses the same key with another body', async () => {
    await service.execute('int_a', 'create', 'k1', { a: 1 }, async () => ({
      status: 201,
      body: {},
    }));
    await expect(
      service.execute('int_a', 'create', 'k1', { a: 2 }, async () => ({ status: 201, body: {} })),
    ).rejects.toMatchObject({
      code: 'idempotency_key_reused',
    });
  });

  it('answers 409 while the first request with the key still runs', async () => {
    let release!: () => void;
    const slow = service.execute<{ ok: boolean }>(
      'int_a',
      'create',
      'k1',
      {},
      () =>
        new Promise((resolve) => (release = () => resolve({ status: 201, body: { ok: true } }))),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = service.execute('int_a', 'create', 'k1', {}, async () => ({
      status: 201,
      body: {},
    }));
    await expect(second).rejects.toBeInstanceOf(ConflictError);
    await expect(second).rejects.toMatchObject({ code: 'idempotency_key_in_use' });
    release();
    await expect(slow).resolves.toMatchObject({ status: 201 });
  });

  it('keeps keys apart per integration and per scope', async () => {
    const handler = jest.fn(async () => ({ status: 201, body: {} }));
    await service.execute('int_a', 'create', 'k1', {}, handler);
    await service.execute('int_b', 'create', 'k1', {}, handler);
    await service.execute('int_a', 'refund', 'k1', {}, handler);
    expect(handler).toHaveBeenCalledTimes(3);
  });

  it('releases the key when the handler fails, so the shop can retry', async () => {
    await expect(
      service.execute('int_a', 'create', 'k1', {}, async () =>
        Promise.reject(new UnprocessableError('no_route', 'x', 'y')),
      ),
    ).rejects.toThrow();
    const retry = await service.execute('int_a', 'create', 'k1', {}, async () => ({
      status: 201,
      body: { ok: 1 },
    }));
    expect(retry.replayed).toBe(false);
  });

  it('treats an expired key as new and purges expired records', async () => {
    await service.execute('int_a', 'create', 'k1', { a: 1 }, async () => ({
      status: 201,
      body: { n: 1 },
    }));
    await dataSource
      .getRepository(IdempotencyRecord)
      .update({ idempotencyKey: 'k1' }, { expiresAt: new Date(Date.now() - 1000) });
    const again = await service.execute('int_a', 'create', 'k1', { a: 2 }, async () => ({
      status: 201,
      body: { n: 2 },
    }));
    expect(again).toEqual({ status: 201, body: { n: 2 }, replayed: false });
    await dataSource
      .getRepository(IdempotencyRecord)
      .update({ idempotencyKey: 'k1' }, { expiresAt: new Date(Date.now() - 1000) });
    expect(await service.purgeExpired()).toBe(1);
  });

  it('calls the handler once for 20 concurrent requests', async () => {
    const handler = jest.fn(async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return { status: 201, body: { id: 'pay_once' } };
    });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => service.execute('int_a', 'create', 'k1', { x: 1 }, handler)),
    );
    expect(handler).toHaveBeenCalledTimes(1);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    expect(fulfilled).toHaveLength(1);
    results
      .filter((r) => r.status === 'rejected')
      .forEach((r) =>
        expect((r as PromiseRejectedResult).reason.code).toBe('idempotency_key_in_use'),
      );
  });
});
