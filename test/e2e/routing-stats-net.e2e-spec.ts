import { enabledDialects } from '../support/services';
import {
  eventually,
  paymentBody,
  startTestServer,
  submitCheckout,
  TestServer,
} from '../support/test-server';

/**
 * Statistics count what the merchant kept: a partially refunded payment at its captured amount
 * less its refunds (not gross), a charged-back one not at all, each part reported separately;
 * and the observed split of one routing rule's targets.
 */
describe.each(enabledDialects())(
  'admin API: statistics net of refunds and per rule (%s)',
  (dialect) => {
    let server: TestServer;
    let admin: string;
    const stats = (query: string) =>
      server.request('GET', `/api/v1/admin/stats${query}`, { token: admin });

    beforeAll(async () => {
      server = await startTestServer({ dialect });
      admin = await server.adminToken();
    });

    afterAll(async () => {
      await server?.close();
    });

    const paid = async (value: number, extra: Record<string, unknown> = {}) => {
      const payment = (
        await server.request('POST', '/api/v1/payments', {
          body: paymentBody({ amount: { value, currency: 'EUR' }, ...extra }),
        })
      ).body;
      await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
      await eventually(
        async () =>
          (await server.request('GET', `/api/v1/payments/${payment.id}`)).body.status === 'paid',
      );
      return payment.id as string;
    };
    const refund = async (id: string, value?: number) => {
      const res = await server.request('POST', `/api/v1/admin/payments/${id}/refunds`, {
        token: admin,
        body: value === undefined ? {} : { amount: { value, currency: 'EUR' } },
      });
      expect(res.status).toBe(201);
      await eventually(
        async () => (await server.request('GET', `/api/v1/payments/${id}`)).body.amountRefunded > 0,
      );
    };

    it('reports net volume (captured less refunds and chargebacks) with gross, refunded and charged-back parts', async () => {
      const partly = await paid(1000);
      await refund(partly, 250);
      const fully = await paid(2000);
      await refund(fully);
      const kept = await paid(300);
      const chargedBack = await paid(500);
      // No PSP simulator here sends chargebacks; the state a chargeback webhook leaves is written directly.
      await server.dataSource
        .createQueryBuilder()
        .update('payments')
        .set({ status: 'charged_back' })
        .where('id = :id', { id: chargedBack })
        .execute();
      expect((await server.request('GET', `/api/v1/payments/${kept}`)).body.status).toBe('paid');

      const row = (await stats('?groupBy=provider')).body.data.find((r: any) => r.key === 'test');
      expect(row).toEqual({
        key: 'test',
        count: 4,
        paidCount: 4,
        successRate: 1,
        grossVolume: [{ value: 3800, currency: 'EUR' }],
        refundedVolume: [{ value: 2250, currency: 'EUR' }],
        chargedBackVolume: [{ value: 500, currency: 'EUR' }],
        volume: [{ value: 1050, currency: 'EUR' }],
        refundedCount: 2,
        chargedBackCount: 1,
      });
      const byStatus = (await stats('?groupBy=status')).body.data;
      expect(byStatus.find((r: any) => r.key === 'partially_refunded').volume).toEqual([
        { value: 750, currency: 'EUR' },
      ]);
      expect(byStatus.find((r: any) => r.key === 'refunded').volume).toEqual([
        { value: 0, currency: 'EUR' },
      ]);
    });

    it("gives the observed split of one rule's targets with ruleId and groupBy=account", async () => {
      const account = async (name: string) =>
        (
          await server.request('POST', '/api/v1/admin/provider-accounts', {
            token: admin,
            body: { provider: 'test', name, credentials: {} },
          })
        ).body.id as string;
      const a = await account('split A');
      const b = await account('split B');
      const rule = await server.request('POST', '/api/v1/admin/routing-rules', {
        token: admin,
        body: {
          name: 'USD split',
          priority: 10,
          conditions: { currencies: ['USD'] },
          targets: [
            { providerAccountId: a, weight: 1 },
            { providerAccountId: b, weight: 1 },
          ],
        },
      });
      expect(rule.status).toBe(201);
      for (let i = 0; i < 12; i++) {
        const res = await server.request('POST', '/api/v1/payments', {
          body: paymentBody({
            amount: { value: 100, currency: 'USD' },
            customer: { email: `buyer${i}@example.com` },
          }),
        });
        expect(res.body.routing.ruleId).toBe(rule.body.id);
      }
      const split = (await stats(`?groupBy=account&ruleId=${rule.body.id}`)).body.data;
      expect(split.map((r: any) => r.key).every((key: string) => key === a || key === b)).toBe(
        true,
      );
      expect(split.reduce((n: number, r: any) => n + r.count, 0)).toBe(12);
      // The EUR payments of the test above went by no rule.
      expect((await stats('?groupBy=account&ruleId=rr_none')).body.data).toEqual([]);
    });
  },
);
