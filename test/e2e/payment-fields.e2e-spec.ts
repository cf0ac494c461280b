import { ReconciliationService } from '../../src/reconciliation/reconciliation.service';
import { TestProviderPayment } from '../../src/providers/test/test-provider-payment.entity';
import { enabledDialects } from '../support/services';
import { ADDRESS, LINES } from '../support/order-fixtures';
import { paymentBody, startTestServer, submitCheckout, TestServer } from '../support/test-server';

describe.each(enabledDialects())('payment fields on %s', (dialect) => {
  let server: TestServer;
  let adminToken: string;

  beforeAll(async () => {
    server = await startTestServer({
      dialect,
      env: {
        PAYMENTSERVER_RECONCILE_AFTER_SECONDS: '0',
        PAYMENTSERVER_RECONCILE_INTERVAL_SECONDS: '0',
      },
    });
    adminToken = await server.adminToken();
  });

  afterAll(async () => {
    await server?.close();
  });

  const create = (overrides: Record<string, unknown> = {}) =>
    server.request('POST', '/api/v1/payments', { body: paymentBody(overrides) });
  const get = async (id: string) => (await server.request('GET', `/api/v1/payments/${id}`)).body;

  describe('order lines, addresses and expiry', () => {
    it('stores them with the payment and shows them on it', async () => {
      const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
      const created = await create({
        amount: { value: 2495, currency: 'EUR' },
        lines: LINES,
        billingAddress: ADDRESS,
        shippingAddress: { ...ADDRESS, givenName: 'John' },
        expiresAt,
      });
      expect(created.status).toBe(201);
      const payment = await get(created.body.id);
      expect(payment).toMatchObject({
        lines: LINES,
        billingAddress: ADDRESS,
        shippingAddress: { ...ADDRESS, givenName: 'John' },
        expiresAt,
      });
    });

    it("the test provider's checkout takes nothing after expiresAt: the payment expires", async () => {
      const created = await create({ expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
      expect(created.status).toBe(201);
      const ledger = server.dataSource.getRepository(TestProviderPayment);
      const id = created.body.provider.paymentId;
      expect((await ledger.findOneBy({ id }))!.expiresAt).toEqual(new Date(created.body.expiresAt));
      // The hour has passed (moved in the PSP's own books rather than waited for).
      await ledger.update({ id }, { expiresAt: new Date(Date.now() - 1000) });
      const late = await submitCheckout(created.body.checkoutUrl, { outcome: 'paid' });
      expect(late.status).toBe(409);
      expect(await get(created.body.id)).toMatchObject({ status: 'expired', amountCaptured: 0 });
    });

    it.each(
      (
        [
          [
            'a line total that is not quantity × unitPrice',
            {
              lines: [
                { ...LINES[0], totalAmount: { value: 1999, currency: 'EUR' } },
                ...LINES.slice(1),
              ],
            },
            'lines[0].totalAmount',
          ],
          [
            'a line in another currency',
            {
              lines: [
                LINES[0],
                { ...LINES[1], unitPrice: { value: 595, currency: 'USD' } },
                LINES[2],
              ],
            },
            'lines[1].unitPrice.currency',
          ],
          ['lines that do not add up to the amount', { lines: LINES.slice(0, 2) }, 'lines'],
          [
            'a non-integer quantity',
            { lines: [{ ...LINES[0], quantity: 1.5 }, ...LINES.slice(1)] },
            'lines[0].quantity',
          ],
          [
            'a fractional amount of minor units',
            {
              lines: [
                LINES[0],
                { ...LINES[1], totalAmount: { value: 595.5, currency: 'EUR' } },
                LINES[2],
              ],
            },
            'lines[1].totalAmount.value',
          ],
          [
            'a discount line that is positive',
            {
              lines: [
                LINES[0],
                LINES[1],
                {
                  ...LINES[2],
                  unitPrice: { value: 100, currency: 'EUR' },
                  totalAmount: { value: 100, currency: 'EUR' },
                },
              ],
            },
            'lines[2].unitPrice.value',
          ],
          [
            'a VAT amount that does not match the rate',
            {
              lines: [
                { ...LINES[0], vatAmount: { value: 100, currency: 'EUR' } },
                ...LINES.slice(1),
              ],
            },
            'lines[0].vatAmount',
          ],
          [
            'a VAT rate without its amount',
            { lines: [{ ...LINES[0], vatAmount: undefined }, ...LINES.slice(1)] },
            'lines[0].vatAmount',
          ],
          [
            'an address without a postal code',
            { billingAddress: { ...ADDRESS, postalCode: undefined } },
            'billingAddress.postalCode',
          ],
          [
            'an address with a bad country',
            { shippingAddress: { ...ADDRESS, country: 'XX' } },
            'shippingAddress.country',
          ],
          [
            'an address with a country in lower case (routing rules compare capitals)',
            { billingAddress: { ...ADDRESS, country: 'nl' } },
            'billingAddress.country',
          ],
          ['a customer country in lower case', { customer: { country: 'nl' } }, 'customer.country'],
          [
            'an unknown field in a line',
            { lines: [{ ...LINES[0], colour: 'red' }, ...LINES.slice(1)] },
            'lines[0].colour',
          ],
          ['an expiry in the past', { expiresAt: '2020-01-01T00:00:00Z' }, 'expiresAt'],
          ['an expiry without a time zone', { expiresAt: '2099-01-01T00:00:00' }, 'expiresAt'],
          ['klarna without lines', { method: 'klarna', billingAddress: ADDRESS }, 'lines'],
          [
            'klarna without a billing address',
            { method: 'klarna', lines: LINES },
            'billingAddress',
          ],
          [
            'klarna without any email',
            { method: 'klarna', lines: LINES, billingAddress: { ...ADDRESS, email: undefined } },
            'billingAddress.email',
          ],
        ] as [string, Record<string, unknown>, string][]
      ).map(([what, overrides, field]) => [what, field, overrides] as const),
    )('refuses %s with 400 naming %s', async (_what, field, overrides) => {
      const response = await create({ amount: { value: 2495, currency: 'EUR' }, ...overrides });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    });

    it('takes klarna with lines and a billing address', async () => {
      const created = await create({
        amount: { value: 2495, currency: 'EUR' },
        method: 'klarna',
        lines: LINES,
        billingAddress: { ...ADDRESS, email: undefined },
        customer: { email: 'jane@example.com' },
      });
      expect(created.status).toBe(201);
    });
  });

  describe('methodUsed and provider.testMode', () => {
    it('is null until the customer pays, then the method chosen on the checkout page', async () => {
      const created = await create();
      expect(created.status).toBe(201);
      expect(created.body.methodUsed).toBeNull();
      expect(created.body.provider.testMode).toBe(true);
      const page = await fetch(created.body.checkoutUrl);
      expect(await page.text()).toContain('<option value="card" selected>card</option>');
      await submitCheckout(created.body.checkoutUrl, { outcome: 'paid', method: 'ideal' });
      const paid = await get(created.body.id);
      expect(paid).toMatchObject({ status: 'paid', method: null, methodUsed: 'ideal' });
    });

    it('defaults to the requested method; a canceled checkout never picked one', async () => {
      const eps = await create({ method: 'eps' });
      await submitCheckout(eps.body.checkoutUrl, { outcome: 'authorized' });
      expect(await get(eps.body.id)).toMatchObject({ status: 'authorized', methodUsed: 'eps' });
      const canceled = await create({ method: 'card' });
      await submitCheckout(canceled.body.checkoutUrl, { outcome: 'canceled' });
      expect(await get(canceled.body.id)).toMatchObject({ status: 'canceled', methodUsed: null });
    });

    it('comes with a polled status when the webhook was lost', async () => {
      const created = await create();
      await submitCheckout(created.body.checkoutUrl, {
        outcome: 'paid',
        method: 'bancontact',
        dropWebhook: 'true',
      });
      expect((await get(created.body.id)).methodUsed).toBeNull();
      await server.server.app.get(ReconciliationService).runOnce();
      const paid = await get(created.body.id);
      expect(paid).toMatchObject({ status: 'paid', methodUsed: 'bancontact' });
      const events = (await server.request('GET', `/api/v1/payments/${created.body.id}/events`))
        .body.data;
      expect(events.pop()).toMatchObject({ toStatus: 'paid', source: 'poll' });
    });

    it("provider.testMode is the account's testMode at the time of the payment", async () => {
      const account = await server.request('POST', '/api/v1/admin/provider-accounts', {
        token: adminToken,
        body: { provider: 'test', name: 'live-ish test account', testMode: false, credentials: {} },
      });
      expect(account.status).toBe(201);
      const created = await create({ providerAccountId: account.body.id });
      expect(created.status).toBe(201);
      expect(created.body.provider).toMatchObject({ accountId: account.body.id, testMode: false });
      await server.request('PATCH', `/api/v1/admin/provider-accounts/${account.body.id}`, {
        token: adminToken,
        body: { testMode: true },
      });
      expect((await get(created.body.id)).provider.testMode).toBe(false);
    });
  });
});
