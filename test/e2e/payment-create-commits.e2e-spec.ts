import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EntitySubscriberInterface } from 'typeorm';
import { Payment } from '../../src/payments/entities/payment.entity';
import { PaymentAttempt } from '../../src/payments/entities/payment-attempt.entity';
import { PaymentEvent } from '../../src/payments/entities/payment-event.entity';
import { ProviderAccount } from '../../src/providers/provider-account.entity';
import { TestProviderPayment } from '../../src/providers/test/test-provider-payment.entity';
import { enabledDialects } from '../support/services';
import {
  eventually,
  insertTestAccount,
  paymentBody,
  startTestServer,
  TestServer,
} from '../support/test-server';

/** A test-provider upstream that answers each announcement only once released. */
async function heldUpstream(): Promise<{
  url: string;
  announced: () => number;
  release: () => void;
  close: () => Promise<void>;
}> {
  const waiting: http.ServerResponse[] = [];
  let announced = 0;
  let released = false;
  const server = http.createServer((req, res) => {
    announced++;
    req.resume();
    if (released) res.writeHead(200).end('{}');
    else waiting.push(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    announced: () => announced,
    release: () => {
      released = true;
      for (const res of waiting.splice(0)) res.writeHead(200).end('{}');
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * When a payment is committed: a create whose provider call stays in this database (the test
 * provider without a baseUrl) stores payment, history, attempt and ledger row in one
 * transaction; a call that reaches another system finds the payment already committed as
 * pending, so a crash mid-call leaves it traceable.
 */
describe.each(enabledDialects())('when a new payment is committed (%s)', (dialect) => {
  let server: TestServer;
  let commits = 0;

  beforeAll(async () => {
    server = await startTestServer({ dialect });
    // Outermost commits only: on SQLite each transaction is a savepoint of a group commit.
    const counter: EntitySubscriberInterface = {
      afterTransactionCommit: (event) => {
        if (!event.queryRunner.isTransactionActive) commits++;
      },
    };
    server.dataSource.subscribers.push(counter);
  });

  afterAll(async () => {
    await server?.close();
  });

  const addAccount = (id: string, baseUrl: string | null) =>
    insertTestAccount(server, id, { baseUrl });

  const storedPayment = (reference: string) =>
    server.dataSource.getRepository(Payment).findOneBy({ reference });

  it('stores a local create in one commit: payment, history, attempt and ledger row', async () => {
    const body = paymentBody();
    commits = 0;
    const response = await server.request('POST', '/api/v1/payments', { body });
    expect(response.status).toBe(201);
    expect(commits).toBe(1);

    const id = response.body.id as string;
    const payment = await storedPayment(body.reference);
    expect(payment).toMatchObject({
      id,
      status: 'pending',
      providerName: 'test',
      providerAccountId: 'test',
      providerPaymentId: response.body.provider.paymentId,
      checkoutUrl: response.body.checkoutUrl,
      version: 1,
    });
    expect(payment!.routing!.attempts).toEqual([
      { providerAccountId: 'test', outcome: 'succeeded' },
    ]);
    const history = await server.dataSource.getRepository(PaymentEvent).findBy({ paymentId: id });
    expect(history.map((e) => [e.type, e.fromStatus, e.toStatus])).toEqual([
      ['payment.created', null, 'pending'],
    ]);
    const attempts = await server.dataSource
      .getRepository(PaymentAttempt)
      .findBy({ paymentId: id });
    expect(attempts.map((a) => [a.outcome, a.providerPaymentId])).toEqual([
      ['succeeded', payment!.providerPaymentId],
    ]);
    const ledger = await server.dataSource
      .getRepository(TestProviderPayment)
      .findOneBy({ id: payment!.providerPaymentId! });
    expect(ledger).toMatchObject({ accountId: 'test', amountValue: 1050, status: 'open' });
  });

  it('commits the payment as pending before a call that leaves this database', async () => {
    const upstream = await heldUpstream();
    try {
      await addAccount(`pa_remote_${dialect}`, upstream.url);
      const body = paymentBody({ providerAccountId: `pa_remote_${dialect}` });
      commits = 0;
      const answer = server.request('POST', '/api/v1/payments', { body });
      await eventually(async () => upstream.announced() === 1, 10_000);

      // Mid-call: the payment is already there, pending, with no provider yet.
      const inFlight = await storedPayment(body.reference);
      expect(inFlight).toMatchObject({
        status: 'pending',
        providerName: null,
        providerPaymentId: null,
      });
      expect(commits).toBe(1);

      upstream.release();
      const response = await answer;
      expect(response.status).toBe(201);
      expect(commits).toBe(2);
      expect(await storedPayment(body.reference)).toMatchObject({
        id: inFlight!.id,
        status: 'pending',
        providerAccountId: `pa_remote_${dialect}`,
        providerPaymentId: response.body.provider.paymentId,
      });
      const history = await server.dataSource
        .getRepository(PaymentEvent)
        .findBy({ paymentId: inFlight!.id });
      expect(history.map((e) => e.type)).toEqual(['payment.created']);
    } finally {
      await upstream.close();
    }
  });

  it('stores a local create that failed over to the next candidate with both attempts', async () => {
    await addAccount(`pa_down_${dialect}`, null);
    await server.dataSource
      .getRepository(ProviderAccount)
      .update({ id: `pa_down_${dialect}` }, { settings: { failureMode: 'unavailable' } as never });
    const admin = await server.adminToken();
    const rule = await server.request('POST', '/api/v1/admin/routing-rules', {
      token: admin,
      body: {
        name: `down then test ${dialect}`,
        priority: 1,
        conditions: { metadata: { route: `failover-${dialect}` } },
        targets: [{ providerAccountId: `pa_down_${dialect}`, weight: 1 }],
        fallback: ['test'],
      },
    });
    expect(rule.status).toBe(201);

    const body = paymentBody({ metadata: { route: `failover-${dialect}` } });
    const response = await server.request('POST', '/api/v1/payments', { body });
    expect(response.status).toBe(201);
    expect(response.body.status).toBe('pending');
    expect(response.body.routing.attempts).toEqual([
      expect.objectContaining({ providerAccountId: `pa_down_${dialect}`, outcome: 'failed' }),
      { providerAccountId: 'test', outcome: 'succeeded' },
    ]);
    const stored = await storedPayment(body.reference);
    expect(stored).toMatchObject({ id: response.body.id, providerAccountId: 'test' });
    const attempts = await server.dataSource
      .getRepository(PaymentAttempt)
      .find({ where: { paymentId: response.body.id }, order: { createdAt: 'ASC' } });
    expect(attempts.map((a) => [a.providerAccountId, a.outcome])).toEqual([
      [`pa_down_${dialect}`, 'failed'],
      ['test', 'succeeded'],
    ]);
  });
});
