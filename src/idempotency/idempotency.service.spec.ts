import { RowStatements } from '../database/statements/row-statements';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../database/data-source';
import { TransactionService } from '../database/transaction.service';
import { IdempotencyRecord } from './idempotency-record.entity';
import { IdempotencyService } from './idempotency.service';
import { ConflictError, UnprocessableError, ValidationError } from '../common/errors/domain-error';
import { sha256Hex, stableStringify } from '../common/http/stable-json';

/** How the records store key `k1`. */
const K1 = IdempotencyService.keyDigest('k1');

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
      { idempotency: { leaseSeconds: 60 } },
      new RowStatements(dataSource),
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

  it('stores an error the handler produced and replays it, with the same body, without running the handler again', async () => {
    const failing = jest.fn(async () =>
      Promise.reject(new UnprocessableError('no_route', 'No route', 'nothing matches')),
    );
    await expect(
      service.execute('int_a', 'create', 'k1', {}, failing, 'req-1'),
    ).rejects.toMatchObject({ code: 'no_route' });
    const replay = await service.execute('int_a', 'create', 'k1', {}, failing, 'req-2');
    expect(replay).toEqual({
      status: 422,
      replayed: true,
      body: {
        type: 'https://paymentserver.dev/problems/no-route',
        title: 'No route',
        status: 422,
        detail: 'nothing matches',
        code: 'no_route',
        correlationId: 'req-1',
      },
    });
    expect(failing).toHaveBeenCalledTimes(1);
  });

  it('stores an unexpected error as the 500 the shop saw', async () => {
    await expect(
      service.execute('int_a', 'create', 'k1', {}, async () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    const replay = await service.execute('int_a', 'create', 'k1', {}, async () => ({
      status: 201,
      body: {},
    }));
    expect(replay).toMatchObject({ status: 500, replayed: true, body: { code: 'internal_error' } });
  });

  it('releases the key on a validation error (400: nothing was done), so the shop can retry', async () => {
    await expect(
      service.execute('int_a', 'create', 'k1', {}, async () =>
        Promise.reject(ValidationError.field('providerAccountId', 'unknown')),
      ),
    ).rejects.toThrow();
    const retry = await service.execute('int_a', 'create', 'k1', {}, async () => ({
      status: 201,
      body: { ok: 1 },
    }));
    expect(retry).toEqual({ status: 201, body: { ok: 1 }, replayed: false });
  });

  it('releases the key when the database was busy or unreachable (503), so the retry runs', async () => {
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    await expect(
      service.execute('int_a', 'create', 'k1', {}, async () => Promise.reject(busy)),
    ).rejects.toBe(busy);
    const retry = await service.execute('int_a', 'create', 'k1', {}, async () => ({
      status: 201,
      body: { ok: 1 },
    }));
    expect(retry).toEqual({ status: 201, body: { ok: 1 }, replayed: false });
  });

  it('keeps the key of a request that died until its lease runs out, then lets exactly one request take it over', async () => {
    const repo = dataSource.getRepository(IdempotencyRecord);
    // A holder that died: in progress, nobody renews its lease.
    await repo.insert({
      id: 'idem_dead',
      integrationId: 'int_a',
      scope: 'create',
      keyDigest: K1,
      requestHash: sha256Hex(stableStringify({ a: 1 })),
      state: 'in_progress',
      responseStatus: null,
      responseBody: null,
      leaseOwner: 'dead'.padEnd(32, '0'),
      leaseExpiresAt: new Date(Date.now() + 60_000),
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 86_400_000),
    });
    const handler = jest.fn(async () => ({ status: 201, body: { id: 'pay_retry' } }));
    await expect(service.execute('int_a', 'create', 'k1', { a: 1 }, handler)).rejects.toMatchObject(
      { code: 'idempotency_key_in_use' },
    );
    await repo.update({ id: 'idem_dead' }, { leaseExpiresAt: new Date(Date.now() - 1) });
    await expect(service.execute('int_a', 'create', 'k1', { a: 2 }, handler)).rejects.toMatchObject(
      { code: 'idempotency_key_reused' },
    );
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => service.execute('int_a', 'create', 'k1', { a: 1 }, handler)),
    );
    expect(handler).toHaveBeenCalledTimes(1);
    expect(results.filter((r) => r.status === 'fulfilled' && !r.value.replayed)).toHaveLength(1);
    expect(await repo.findOneByOrFail({ id: 'idem_dead' })).toMatchObject({
      state: 'completed',
      responseStatus: 201,
      leaseOwner: null,
    });
  });

  it('renews the lease while the handler runs (a slow request keeps its key; a dead one stops renewing)', async () => {
    const short = new IdempotencyService(
      dataSource.getRepository(IdempotencyRecord),
      new TransactionService(dataSource),
      { idempotency: { leaseSeconds: 1 } },
      new RowStatements(dataSource),
    );
    const repo = dataSource.getRepository(IdempotencyRecord);
    let release!: () => void;
    const slow = short.execute(
      'int_a',
      'create',
      'k1',
      {},
      () =>
        new Promise<{ status: number; body: { n: number } }>(
          (resolve) => (release = () => resolve({ status: 201, body: { n: 1 } })),
        ),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    const first = (await repo.findOneByOrFail({ keyDigest: K1 })).leaseExpiresAt!.getTime();
    for (let renewed = false; !renewed; await new Promise((resolve) => setTimeout(resolve, 50))) {
      renewed = (await repo.findOneByOrFail({ keyDigest: K1 })).leaseExpiresAt!.getTime() > first;
    }
    release();
    await expect(slow).resolves.toEqual({ status: 201, body: { n: 1 }, replayed: false });
    expect(await repo.findOneByOrFail({ keyDigest: K1 })).toMatchObject({
      state: 'completed',
      leaseExpiresAt: null,
    });
  });

  it('treats an expired key as new and purges expired records', async () => {
    await service.execute('int_a', 'create', 'k1', { a: 1 }, async () => ({
      status: 201,
      body: { n: 1 },
    }));
    await dataSource
      .getRepository(IdempotencyRecord)
      .update({ keyDigest: K1 }, { expiresAt: new Date(Date.now() - 1000) });
    const again = await service.execute('int_a', 'create', 'k1', { a: 2 }, async () => ({
      status: 201,
      body: { n: 2 },
    }));
    expect(again).toEqual({ status: 201, body: { n: 2 }, replayed: false });
    await dataSource
      .getRepository(IdempotencyRecord)
      .update({ keyDigest: K1 }, { expiresAt: new Date(Date.now() - 1000) });
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

  it('refuses a key with a character a header value cannot hold (400 naming the header)', () => {
    for (const key of ['line\nbreak', 'nul\u0000', 'ключ', '\ud83d\udd11']) {
      expect(() => IdempotencyService.validateKey(key)).toThrow(
        expect.objectContaining({
          status: 400,
          errors: [expect.objectContaining({ field: 'Idempotency-Key' })],
        }),
      );
    }
  });

  it('accepts what HTTP carries: printable ASCII, spaces, tabs and Latin-1 bytes', () => {
    for (const key of ['order-1A', 'with space\tand tab', 'café', 'cafÃ©'])
      expect(IdempotencyService.validateKey(key)).toBe(key);
  });
});
