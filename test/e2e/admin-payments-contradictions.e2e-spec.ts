import { Payment } from '../../src/payments/entities/payment.entity';
import { PaymentOperation } from '../../src/payments/entities/payment-operation.entity';
import { lostAnswerTestAccount, reportAsTestProvider } from '../support/test-provider-reports';
import { enabledDialects } from '../support/services';
import {
  eventually,
  paymentBody,
  startTestServer,
  submitCheckout,
  TestServer,
} from '../support/test-server';

/**
 * A provider report the state machine refuses and that means money may have moved against our
 * records (here: paid for a payment canceled here) is recorded as ignored as before, and marks
 * the payment `needsAttention` until an operator resolves it: in the admin view, the list
 * filter and the totals. Late reports that are only old news do not. The test provider's
 * webhooks are signed the real way.
 */
describe.each(enabledDialects())(
  'admin API: contradictions reported by a provider (%s)',
  (dialect) => {
    let server: TestServer;
    let admin: string;
    let lossy: string;
    const ids: Record<string, string> = {};
    const adminGet = (path: string) => server.request('GET', path, { token: admin });
    const view = async (id: string) => (await adminGet(`/api/v1/admin/payments/${id}`)).body;
    const resolve = (id: string, body: unknown = {}, token = admin) =>
      server.request('POST', `/api/v1/admin/payments/${id}/attention/resolve`, { token, body });
    const idsOf = (res: { body: any }) =>
      (res.body.data as { id: string }[]).map((p) => p.id).sort();

    /** What the test provider says about its payment, signed like its own webhooks. */
    async function report(payment: any, status: string): Promise<void> {
      const response = await reportAsTestProvider(server, payment, status);
      expect(response.status).toBe(200);
      await eventually(async () => {
        const events = (await adminGet(`/api/v1/admin/payments/${payment.id}/events`)).body.data;
        return events.at(-1).toStatus === status;
      });
    }

    async function created(overrides: Record<string, unknown> = {}): Promise<any> {
      const response = await server.request('POST', '/api/v1/payments', {
        body: paymentBody(overrides),
      });
      expect(response.status).toBe(201);
      return response.body;
    }

    async function authorized(accountId = 'test'): Promise<any> {
      const payment = await created({ providerAccountId: accountId, captureMode: 'manual' });
      await submitCheckout(payment.checkoutUrl, { outcome: 'authorized' });
      return eventually(async () => {
        const current = (await server.request('GET', `/api/v1/payments/${payment.id}`)).body;
        return current.status === 'authorized' && current;
      });
    }

    beforeAll(async () => {
      server = await startTestServer({
        dialect,
        // The reconciler stays off: nothing settles the pending capture behind the test's back.
        env: { PAYMENTSERVER_RECONCILE_INTERVAL_SECONDS: '0' },
      });
      admin = await server.adminToken();
      lossy = await lostAnswerTestAccount(server, admin);

      // Canceled through the API, then reported paid by the provider.
      const canceled = await created();
      const cancel = await server.request('POST', `/api/v1/payments/${canceled.id}/cancel`);
      expect(cancel.status).toBe(200);
      expect(cancel.body.status).toBe('canceled');
      ids.canceledThenPaid = canceled.id;
      await report(canceled, 'paid');

      // Authorized, canceled, then the authorization reported again: old news, no attention.
      const voided = await authorized();
      expect(
        (await server.request('POST', `/api/v1/payments/${voided.id}/cancel`)).body.status,
      ).toBe('canceled');
      ids.lateAuthorization = voided.id;
      await report(voided, 'authorized');

      // A capture open for two days (its answer lost) and a contradiction: the test provider
      // reports nothing that contradicts an authorized payment, so the mark is written directly.
      const both = await authorized(lossy);
      const capture = await server.request('POST', `/api/v1/payments/${both.id}/capture`, {
        body: {},
      });
      expect(capture.body.pendingOperation).toMatchObject({ type: 'capture' });
      await server.dataSource
        .getRepository(PaymentOperation)
        .update(
          { id: capture.body.pendingOperation.id },
          { createdAt: new Date(Date.now() - 48 * 3_600_000) },
        );
      await server.dataSource.getRepository(Payment).update(
        { id: both.id },
        {
          attentionSince: new Date(),
          attentionReason: 'test reported charged_back for a payment that is authorized here',
        },
      );
      ids.openCapture = capture.body.pendingOperation.id;
      ids.contradictionAndCapture = both.id;
    });

    afterAll(async () => {
      await server?.close();
    });

    it('a payment canceled here and reported paid stays canceled, the report ignored, and needs attention with the reason', async () => {
      const id = ids.canceledThenPaid;
      expect((await server.request('GET', `/api/v1/payments/${id}`)).body).toMatchObject({
        status: 'canceled',
        amountCaptured: 0,
      });
      expect(
        (await adminGet(`/api/v1/admin/payments/${id}/events`)).body.data.at(-1),
      ).toMatchObject({
        type: 'payment.status_changed',
        fromStatus: 'canceled',
        toStatus: 'paid',
        source: 'webhook',
        ignored: true,
      });
      const reason =
        'test reported paid after the payment was canceled here: the customer may have paid; check at test and refund there';
      expect((await view(id)).needsAttention).toEqual({
        since: expect.any(String),
        reason,
        operations: [
          { type: 'contradiction', id, stage: 'reported', since: expect.any(String), why: reason },
        ],
      });
    });

    it('a late authorization of a payment authorized and canceled here needs no attention', async () => {
      const id = ids.lateAuthorization;
      expect(
        (await adminGet(`/api/v1/admin/payments/${id}/events`)).body.data.at(-1),
      ).toMatchObject({
        fromStatus: 'canceled',
        toStatus: 'authorized',
        ignored: true,
      });
      expect((await view(id)).needsAttention).toBeNull();
    });

    it('a contradiction and an overdue operation make one note: the contradiction first, the earliest since', async () => {
      const note = (await view(ids.contradictionAndCapture)).needsAttention;
      expect(note.reason).toMatch(
        /^test reported charged_back for a payment that is authorized here/,
      );
      expect(note.operations.map((o: any) => [o.type, o.stage])).toEqual([
        ['contradiction', 'reported'],
        ['capture', 'unknown'],
      ]);
      expect(note.since).toBe(note.operations[1].since);
    });

    it('needsAttention=true lists the contradicted payments, and the totals count them', async () => {
      const needed = await adminGet('/api/v1/admin/payments?needsAttention=true');
      expect(idsOf(needed)).toEqual([ids.canceledThenPaid, ids.contradictionAndCapture].sort());
      expect(idsOf(await adminGet('/api/v1/admin/payments?needsAttention=false'))).toEqual([
        ids.lateAuthorization,
      ]);
      expect(
        (await adminGet('/api/v1/admin/payments/totals?needsAttention=true')).body,
      ).toMatchObject({ count: 2 });
      expect(
        (await adminGet('/api/v1/admin/payments/totals?needsAttention=false')).body.count,
      ).toBe(1);
    });

    it('a read-only token may not resolve (403), an unknown payment is 404, a note over 512 characters 400', async () => {
      const viewer = await server.adminToken({ roles: ['viewer'] });
      const refused = await resolve(ids.canceledThenPaid, {}, viewer);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('forbidden');
      const refusals = await adminGet(
        `/api/v1/admin/audit-events?action=payment.resolve_attention&targetId=${ids.canceledThenPaid}&outcome=failed`,
      );
      expect(refusals.body.data.map((e: any) => e.failureCode)).toContain('forbidden');
      const unknown = await resolve('pay_unknown00000000000000000');
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('not_found');
      expect((await resolve(ids.canceledThenPaid, { note: 'x'.repeat(513) })).status).toBe(400);
      expect((await view(ids.canceledThenPaid)).needsAttention).not.toBeNull();
    });

    it('resolving clears the contradiction, audited, without touching status, money or the shop; again is 409', async () => {
      const id = ids.canceledThenPaid;
      const before = await view(id);
      const outbox = await server.dataSource.query(
        `SELECT COUNT(*) AS n FROM outbox_events WHERE ${server.dataSource.driver.escape('paymentId')} = '${id}'`,
      );
      const resolved = await resolve(id, { note: 'refunded at the provider by hand' });
      expect(resolved.status).toBe(200);
      expect(resolved.body).toMatchObject({
        id,
        status: 'canceled',
        amountCaptured: 0,
        amountRefunded: 0,
        updatedAt: before.updatedAt,
        needsAttention: null,
      });
      expect((await view(id)).needsAttention).toBeNull();
      expect(
        await server.dataSource.query(
          `SELECT COUNT(*) AS n FROM outbox_events WHERE ${server.dataSource.driver.escape('paymentId')} = '${id}'`,
        ),
      ).toEqual(outbox);

      const audit = await adminGet(
        `/api/v1/admin/audit-events?action=payment.resolve_attention&targetId=${id}&outcome=succeeded`,
      );
      expect(audit.body.data).toEqual([
        expect.objectContaining({
          action: 'payment.resolve_attention',
          targetType: 'payment',
          targetId: id,
          outcome: 'succeeded',
          changedFields: ['attentionReason', 'attentionSince'],
        }),
      ]);
      expect(JSON.stringify(audit.body)).not.toContain('by hand');

      const needed = await adminGet('/api/v1/admin/payments?needsAttention=true');
      expect(idsOf(needed)).toEqual([ids.contradictionAndCapture]);
      expect(idsOf(await adminGet('/api/v1/admin/payments?needsAttention=false'))).toEqual(
        [ids.canceledThenPaid, ids.lateAuthorization].sort(),
      );

      const again = await resolve(id);
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('nothing_to_resolve');
    });

    it('resolving keeps the attention of an open operation', async () => {
      const resolved = await resolve(ids.contradictionAndCapture);
      expect(resolved.status).toBe(200);
      expect(resolved.body.needsAttention.operations).toEqual([
        expect.objectContaining({ type: 'capture', id: ids.openCapture }),
      ]);
      expect(resolved.body.needsAttention.reason).toMatch(/^capture /);
      expect(idsOf(await adminGet('/api/v1/admin/payments?needsAttention=true'))).toEqual([
        ids.contradictionAndCapture,
      ]);
      expect((await resolve(ids.contradictionAndCapture)).status).toBe(409);
    });
  },
);
