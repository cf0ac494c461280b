import { randomBytes } from 'node:crypto';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { Dialect, serviceUrl } from '../support/services';
import {
  paymentBody,
  startPeer,
  startTestServer,
  submitCheckout,
  TestServer,
} from '../support/test-server';

/**
 * Two server instances on one database (a load balancer in front of two processes): the
 * concurrency guarantees of the payment API must hold across them, not only within one.
 */
const dialects = (['mysql', 'postgres'] as Dialect[]).filter((d) =>
  serviceUrl(d as 'mysql' | 'postgres'),
);
const describeEach =
  dialects.length > 0 ? describe.each(dialects) : describe.skip.each([['none' as Dialect]]);

describeEach('the payment API on two server instances sharing one %s database', (dialect) => {
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  /** Alternates between the instances, as a round-robin load balancer would. */
  const via = (i: number) => (i % 2 === 0 ? a : b);

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    a = await startTestServer({ database });
    b = await startPeer(a, database);
  });

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await database?.drop();
  });

  it('creates one payment and calls the provider once for 20 concurrent requests with one key, spread over both', async () => {
    const reference = `cluster-${randomBytes(4).toString('hex')}`;
    const body = paymentBody({ reference, description: `Order ${reference}` });
    const headers = { 'idempotency-key': `key-${reference}` };
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        via(i).request('POST', '/api/v1/payments', { body, headers }),
      ),
    );
    const created = responses.filter((r) => r.status === 201);
    const inFlight = responses.filter((r) => r.status === 409);
    expect(created.length + inFlight.length).toBe(20);
    expect(created.length).toBeGreaterThanOrEqual(1);
    inFlight.forEach((r) => expect(r.body.code).toBe('idempotency_key_in_use'));
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);

    const list = await b.request('GET', `/api/v1/payments?reference=${reference}`);
    expect(list.body.data).toHaveLength(1);
    const q = a.dataSource.driver.escape.bind(a.dataSource.driver);
    const providerCalls = await a.dataSource.query(
      `SELECT COUNT(*) AS n FROM test_provider_payments WHERE ${q('description')} = '${body.description}'`,
    );
    expect(Number(providerCalls[0].n)).toBe(1);
  });

  it('never refunds more than captured under 10 concurrent refunds spread over both', async () => {
    const created = await a.request('POST', '/api/v1/payments', {
      body: paymentBody({ amount: { value: 1050, currency: 'EUR' } }),
    });
    expect(created.status).toBe(201);
    expect((await submitCheckout(created.body.checkoutUrl, { outcome: 'paid' })).status).toBe(303);
    expect((await b.request('GET', `/api/v1/payments/${created.body.id}`)).body.status).toBe(
      'paid',
    );

    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        via(i).request('POST', `/api/v1/payments/${created.body.id}/refunds`, {
          body: { amount: { value: 200, currency: 'EUR' } },
        }),
      ),
    );
    expect(responses.filter((r) => r.status === 201)).toHaveLength(5);
    const refused = responses.filter((r) => r.status === 422);
    expect(refused).toHaveLength(5);
    refused.forEach((r) => expect(r.body.code).toBe('refund_exceeds_available'));
    const after = await a.request('GET', `/api/v1/payments/${created.body.id}`);
    expect(after.body.amountRefunded).toBe(1000);
    const refunds = await b.request('GET', `/api/v1/payments/${created.body.id}/refunds`);
    expect(
      refunds.body.data.reduce(
        (sum: number, r: { amount: { value: number } }) => sum + r.amount.value,
        0,
      ),
    ).toBe(1000);
  });
});
