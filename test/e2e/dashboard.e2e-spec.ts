/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Functions passed to page.evaluate() run in the browser.
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { chromiumPath } from '../support/services';
import {
  eventually,
  paymentBody,
  startTestServer,
  submitCheckout,
  TestServer,
} from '../support/test-server';
import { WebhookReceiver } from '../support/webhook-receiver';
import { WebhookDelivery } from '../../src/webhooks/webhook-delivery.entity';
import { MollieSimulator } from '../simulators/mollie/mollie.simulator';
import { reportAsTestProvider } from '../support/test-provider-reports';
import {
  accessibilityViolations,
  choose,
  DESKTOP,
  fieldError,
  launch,
  notified,
  overflowing,
  pageWidth,
  PHONE,
  screenshot,
  shows,
  signInAtIdp,
} from '../support/dashboard-browser';

const browserPath = chromiumPath();
const describeWithBrowser = browserPath ? describe : describe.skip;
const CLIENT_ID = 'dashboard-e2e';

/**
 * The operator's console in Chromium against the real server: sign-in by authorization code +
 * PKCE at a real OpenID Connect provider, every screen, and every write action through the
 * Admin API, checked against the API afterwards. Screenshots of each screen (desktop and 390 px)
 * go to docs/screenshots.
 */
describeWithBrowser('the operator console (headless Chromium)', () => {
  jest.setTimeout(180_000);
  let server: TestServer;
  let admin: string;
  let browser: Browser;
  let page: Page;
  let base: string;
  let receiver: WebhookReceiver;
  let mollie: MollieSimulator;
  const seeded: Record<string, any> = {};

  const api = (
    method: string,
    route: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => server.request(method, route, { body, headers });
  const adminApi = (method: string, route: string, body?: unknown) =>
    server.request(method, route, { token: admin, body });
  const pay = async (overrides: Record<string, unknown>, outcome?: string) => {
    const created = await api('POST', '/api/v1/payments', paymentBody(overrides), {
      'idempotency-key': randomBytes(8).toString('hex'),
    });
    expect(created.status).toBe(201);
    if (outcome) {
      await submitCheckout(created.body.checkoutUrl, { outcome });
      await eventually(
        async () =>
          (await api('GET', `/api/v1/payments/${created.body.id}`)).body.status === outcome,
      );
    }
    return (await api('GET', `/api/v1/payments/${created.body.id}`)).body;
  };
  const go = async (route: string) => {
    await page.goto(`${base}/dashboard${route}`);
  };
  const dialog = () => page.getByRole('dialog');

  beforeAll(async () => {
    server = await startTestServer({
      env: {
        PAYMENTSERVER_DASHBOARD_CLIENT_ID: CLIENT_ID,
        PAYMENTSERVER_CIRCUIT_FAILURE_THRESHOLD: '2',
      },
    });
    base = server.baseUrl;
    await server.idp.publicClient(CLIENT_ID, [`${base}/dashboard/callback`]);
    admin = await server.adminToken();
    receiver = await new WebhookReceiver().start();
    mollie = await new MollieSimulator().start();
    receiver.answer('/failing', { status: 500 });

    // A shop endpoint that answers 500: failing deliveries, an open problem.
    seeded.failingEndpoint = (
      await adminApi('POST', '/api/v1/admin/notification-endpoints', {
        integrationId: (await adminApi('GET', '/api/v1/admin/integrations')).body.data[0].id,
        type: 'webhook',
        url: receiver.url('/failing'),
        events: ['payment.status_changed'],
      })
    ).body;
    // An account whose PSP is down: its circuit opens after two retryable failures.
    seeded.down = (
      await adminApi('POST', '/api/v1/admin/provider-accounts', {
        provider: 'test',
        name: 'Flaky PSP',
        credentials: {},
        settings: { failureMode: 'unavailable' },
      })
    ).body;
    for (let i = 0; i < 2; i++)
      await api('POST', '/api/v1/payments', paymentBody({ providerAccountId: seeded.down.id }));
    seeded.declines = (
      await adminApi('POST', '/api/v1/admin/provider-accounts', {
        provider: 'test',
        name: 'Declining PSP',
        credentials: {},
        settings: { failureMode: 'decline' },
      })
    ).body;

    seeded.paid = await pay(
      {
        reference: 'order-1001',
        amount: { value: 1050, currency: 'EUR' },
        method: 'ideal',
        customer: { email: 'Jane.Doe@example.com', name: 'Jane Doe', country: 'NL' },
      },
      'paid',
    );
    seeded.yen = await pay(
      {
        reference: 'order-1002',
        amount: { value: 1050, currency: 'JPY' },
        customer: { email: 'kenji@example.jp' },
      },
      'paid',
    );
    seeded.authorized = await pay(
      {
        reference: 'order-1003',
        amount: { value: 5000, currency: 'EUR' },
        captureMode: 'manual',
        method: 'card',
        customer: { email: 'max@example.com' },
      },
      'authorized',
    );
    seeded.pending = await pay({
      reference: 'order-1004',
      amount: { value: 2000, currency: 'EUR' },
    });
    seeded.failed = (
      await api(
        'POST',
        '/api/v1/payments',
        paymentBody({
          reference: 'order-1005',
          providerAccountId: seeded.declines.id,
          amount: { value: 799, currency: 'EUR' },
        }),
      )
    ).body;
    // Enough for a second page of 25.
    for (let i = 0; i < 26; i++) {
      const bulk = await pay(
        {
          reference: `bulk-${i}`,
          amount: { value: 1000 + 250 * i, currency: 'USD' },
          customer: { email: `bulk${i}@example.com` },
        },
        i % 4 === 0 ? 'failed' : 'paid',
      );
      // Spread over the last two weeks, so that the daily charts have days to show.
      const at = new Date(Date.now() - (i % 14) * 86_400_000 - 3_600_000);
      await server.dataSource
        .createQueryBuilder()
        .update('payments')
        .set({ createdAt: at })
        .where('id = :id', { id: bulk.id })
        .execute();
    }

    // Provider webhook inbox: the test provider's signed webhook for the JPY payment, made dead
    // (as after a long PSP outage) for the operator to replay; another one failing, retried
    // tomorrow (so the retry job leaves it alone during the run).
    const inboxOf = async (paymentId: string) =>
      (await adminApi('GET', `/api/v1/admin/provider-webhooks?paymentId=${paymentId}`)).body
        .data[0];
    seeded.deadWebhook = await eventually(() => inboxOf(seeded.yen.id));
    seeded.failingWebhook = await eventually(() => inboxOf(seeded.authorized.id));
    await server.dataSource
      .createQueryBuilder()
      .update('webhook_deliveries')
      .set({ status: 'dead', error: 'test: HTTP 503 (seeded)', nextAttemptAt: null })
      .where('id = :id', { id: seeded.deadWebhook.id })
      .execute();
    await server.dataSource
      .createQueryBuilder()
      .update('webhook_deliveries')
      .set({
        status: 'failed',
        error: 'test: connection reset (seeded)',
        nextAttemptAt: new Date(Date.now() + 86_400_000),
      })
      .where('id = :id', { id: seeded.failingWebhook.id })
      .execute();

    ({ browser, page } = await launch(browserPath!));
  });

  afterAll(async () => {
    await browser?.close();
    await receiver?.stop();
    await mollie?.stop();
    await server?.close();
  });

  it('shows only a sign-in button without a session, under a strict Content-Security-Policy', async () => {
    const res = await fetch(`${base}/dashboard/payments`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ${new URL(server.idp.issuer).origin}`);
    expect((await fetch(`${base}/dashboard/assets/nothing.js`)).status).toBe(404);
    await go('/');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await screenshot(page, 'sign-in-desktop');
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('signs in with authorization code + PKCE and returns to the page asked for', async () => {
    await go('/payments?status=paid');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await signInAtIdp(page);
    await page.waitForURL(`${base}/dashboard/payments?status=paid`);
    await shows(page.getByTestId('who'), /./);
    await page.getByRole('heading', { name: 'Payments', level: 1 }).waitFor();
  });

  it('keeps the navigation keyboard reachable', async () => {
    await go('/');
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await page.locator('body').focus();
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate(() => document.activeElement?.textContent)) === 'Provider accounts')
        break;
    }
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/dashboard/provider-accounts`);
  });

  it('shows times in the browser time zone with UTC on hover, and a failed payment with its failure', async () => {
    await go(`/payments/${seeded.failed.id}`);
    const failure = page.getByTestId('failure');
    await failure.waitFor();
    expect(await failure.textContent()).toContain(seeded.failed.failure.message);
    expect(await page.locator('main').textContent()).not.toMatch(/Failure: none/i);
    const created = page.locator('time').first();
    const utc = (await created.getAttribute('title'))!;
    expect(utc).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    // Amsterdam is one or two hours ahead of UTC.
    expect(await created.textContent()).not.toContain(utc.slice(11, 16));
  });

  it('searches payments by reference, customer email and id, and filters by amount with a decimal comma, with totals for the filter', async () => {
    await go('/payments');
    const search = page.getByRole('textbox', { name: 'Search' });
    await search.fill('order-1001');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/search=order-1001/);
    await shows(page.getByTestId('total-count'), /^1$/);
    // The list and the totals load separately; the old rows stay until the new ones come.
    await eventually(async () => (await page.locator('tbody tr[data-payment-id]').count()) === 1);
    expect(await page.locator('tbody tr[data-payment-id]').getAttribute('data-payment-id')).toBe(
      seeded.paid.id,
    );

    await search.fill('JANE.DOE@example.com');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/search=JANE.DOE/);
    await page.locator(`tr[data-payment-id="${seeded.paid.id}"]`).waitFor();

    await search.fill(seeded.yen.id);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(`${base}/dashboard/payments/${seeded.yen.id}`);
    await shows(page.getByRole('heading', { level: 1 }), '¥1,050');

    // USD 10.00 to 20.50 in the operator's own notation: bulk-0 … bulk-4 (10.00, 12.50, … 20.00).
    await go('/payments');
    await page.getByRole('button', { name: 'Filters' }).click();
    await page.getByRole('textbox', { name: 'Amount from' }).fill('10');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    expect(await fieldError(page, 'Amount from')).toBe('Choose a currency first');
    await choose(page, page, 'Currency', /^USD/);
    await page.getByRole('textbox', { name: 'Amount from' }).fill('10,00');
    await page.getByRole('textbox', { name: 'Amount to' }).fill('20,50');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/amountMax=20%2C50/);
    await shows(page.getByTestId('total-count'), /^5$/);
    const totals = (
      await adminApi(
        'GET',
        '/api/v1/admin/payments/totals?currency=USD&amountMin=1000&amountMax=2050',
      )
    ).body;
    expect(totals.count).toBe(5);
    await shows(page.getByTestId('totals-USD'), '$75.00 in 5');
    await eventually(async () => (await page.locator('tbody tr[data-payment-id]').count()) === 5);

    await choose(page, page, 'Status', 'failed');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/status=failed/);
    await shows(page.getByTestId('total-count'), /^2$/);
  });

  it('pages with the cursor and exports the whole filter as CSV', async () => {
    await go('/payments?currency=USD');
    await shows(page.getByTestId('total-count'), /^26$/);
    // The rows shown, once there are `count` of them: a page stays on screen until the next one
    // replaces it.
    const rowsOnce = (count: number) =>
      eventually(async () => {
        const ids = await page
          .locator('tbody tr[data-payment-id]')
          .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-payment-id')));
        return ids.length === count ? ids : undefined;
      });
    const first = await rowsOnce(25);
    await page.getByRole('button', { name: 'Older' }).click();
    await shows(page.getByText('Page 2'), 'Page 2');
    const second = await rowsOnce(1);
    expect(first).not.toContain(second[0]);
    await page.getByRole('button', { name: 'Newer' }).click();
    await shows(page.getByText('Page 1'), 'Page 1');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const csv = fs
      .readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\r\n');
    expect(csv[0]).toBe(
      'id,created_at_utc,status,currency,amount,amount_minor,captured_minor,refunded_minor,reference,description,method,customer_email,provider,provider_account_id,provider_payment_id,failure_code,failure_message',
    );
    expect(csv).toHaveLength(27);
    expect(csv.find((line) => line.includes('bulk-2,'))).toMatch(/,USD,15\.00,1500,/);
    await notified(page, 'Exported 26 payments.');
  });

  it('refunds part of a paid payment after a confirmation showing the amount, and shows the remainder', async () => {
    await go(`/payments/${seeded.paid.id}`);
    await shows(page.getByTestId('refundable'), '€10.50');
    const amount = page.getByRole('textbox', { name: 'Amount to refund' });
    await amount.fill('0,001');
    await page.getByRole('button', { name: 'Refund…' }).click();
    expect(await fieldError(page, 'Amount to refund')).toBe('EUR has at most 2 decimals');
    await amount.fill('11');
    await page.getByRole('button', { name: 'Refund…' }).click();
    expect(await fieldError(page, 'Amount to refund')).toBe('At most €10.50 can be refunded');
    expect((await api('GET', `/api/v1/payments/${seeded.paid.id}`)).body.amountRefunded).toBe(0);

    await amount.fill('4,1');
    await page.getByRole('textbox', { name: 'Reason (optional)' }).fill('damaged');
    await page.getByRole('button', { name: 'Refund…' }).click();
    // Cancelled at the confirmation: nothing happens.
    await shows(dialog(), 'Refund €4.10 of €10.50');
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    await dialog().waitFor({ state: 'detached' });
    expect((await api('GET', `/api/v1/payments/${seeded.paid.id}/refunds`)).body.data).toEqual([]);

    await page.getByRole('button', { name: 'Refund…' }).click();
    await dialog().getByRole('button', { name: 'Refund €4.10' }).click();
    await notified(
      page,
      /^Done(Refunded €4\.10 \(re_\w+\)\.|Refund re_\w+ of €4\.10 is pending; the provider confirms it\.)$/,
    );
    const after = await eventually(async () => {
      const payment = (await api('GET', `/api/v1/payments/${seeded.paid.id}`)).body;
      return payment.amountRefunded === 410 ? payment : undefined;
    });
    expect(after.status).toBe('partially_refunded');
    expect(
      (await api('GET', `/api/v1/payments/${seeded.paid.id}/refunds`)).body.data[0],
    ).toMatchObject({ amount: { value: 410, currency: 'EUR' }, reason: 'damaged' });
    await shows(page.getByTestId('refundable'), '€6.40');
    await shows(page.locator('[data-kind="refund"]'), 'Refund re_');
    await screenshot(page, 'payment-refunded-desktop');
  });

  it('captures part of an authorized payment and cancels a pending one, each after a confirmation', async () => {
    await go(`/payments/${seeded.authorized.id}`);
    await page.getByRole('textbox', { name: 'Amount to capture' }).fill('30');
    await page.getByRole('button', { name: 'Capture…' }).click();
    await shows(dialog(), 'Capture €30.00 of the authorized €50.00');
    await dialog().getByRole('button', { name: 'Capture €30.00' }).click();
    await notified(page, /Captured €30\.00|Capture requested/);
    const captured = await eventually(async () => {
      const payment = (await api('GET', `/api/v1/payments/${seeded.authorized.id}`)).body;
      return payment.status === 'paid' ? payment : undefined;
    });
    expect(captured.amountCaptured).toBe(3000);

    await go(`/payments/${seeded.pending.id}`);
    await page.getByRole('button', { name: 'Cancel payment…' }).click();
    await shows(dialog(), 'Cancel the pending payment of €20.00');
    await dialog().getByRole('button', { name: 'Cancel payment' }).click();
    await notified(page, /canceled|Cancellation requested/);
    await eventually(
      async () =>
        (await api('GET', `/api/v1/payments/${seeded.pending.id}`)).body.status === 'canceled',
    );
    await shows(page.getByRole('heading', { level: 1 }), 'canceled');
  });

  it('shows a paid report for a canceled payment as a contradiction with its reason, and marks it resolved with a note after a confirmation', async () => {
    const payment = await pay({
      reference: 'order-1006',
      amount: { value: 2500, currency: 'EUR' },
    });
    expect((await api('POST', `/api/v1/payments/${payment.id}/cancel`)).body.status).toBe(
      'canceled',
    );
    // The test provider then says it was paid after all, signed the way its webhooks are.
    const reported = await reportAsTestProvider(server, payment, 'paid');
    expect(reported.status).toBe(200);
    const attention = await eventually(
      async () =>
        (await adminApi('GET', `/api/v1/admin/payments/${payment.id}`)).body.needsAttention,
    );
    const reason: string = attention.reason;
    expect(reason).toMatch(/reported paid after the payment was canceled here/);

    // Among the open problems, in the provider's words, linked to the payment.
    await go('/');
    const problem = page.getByRole('link', { name: `Payment ${payment.id} (€25.00): ${reason}` });
    await problem.click();
    await page.waitForURL(`${base}/dashboard/payments/${payment.id}`);
    await shows(page.getByTestId('contradiction-reason'), reason);
    await shows(page.getByRole('heading', { level: 1 }), 'canceled');
    try {
      for (const [viewport, suffix] of [
        [PHONE, 'mobile'],
        [DESKTOP, 'desktop'],
      ] as const) {
        await page.setViewportSize(viewport);
        await screenshot(page, `payment-contradiction-${suffix}`);
        expect(await pageWidth(page)).toBe(viewport.width);
        expect(await accessibilityViolations(page)).toEqual([]);
      }
    } finally {
      // A failure at 390 px would leave the later tests on a phone.
      await page.setViewportSize(DESKTOP);
    }

    // Cancelled at the confirmation: still there.
    await page.getByRole('button', { name: 'Mark as resolved…' }).click();
    await shows(dialog(), 'Its status and amounts stay as they are');
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    await dialog().waitFor({ state: 'detached' });
    expect(
      (await adminApi('GET', `/api/v1/admin/payments/${payment.id}`)).body.needsAttention,
    ).not.toBeNull();

    await page.getByRole('button', { name: 'Mark as resolved…' }).click();
    await dialog()
      .getByRole('textbox', { name: /^Note \(optional\)/ })
      .fill('Refunded at the test provider by hand, ticket 4711');
    await screenshot(page, 'payment-resolve-confirm-desktop');
    await dialog().getByRole('button', { name: 'Mark as resolved', exact: true }).click();
    await notified(page, 'Marked as resolved. The status and amounts are unchanged.');
    await page.getByTestId('contradiction').waitFor({ state: 'detached' });
    expect((await adminApi('GET', `/api/v1/admin/payments/${payment.id}`)).body).toMatchObject({
      status: 'canceled',
      needsAttention: null,
    });
  });

  it('adds a Mollie account from its form (server field errors next to the field), edits, tests its connection, resets a circuit, disables and deletes accounts', async () => {
    await go('/provider-accounts');
    await page.getByRole('button', { name: 'Add account' }).click();
    await choose(dialog(), page, /^Provider/, 'Mollie');
    await dialog().getByLabel(/^Name/).fill('Mollie NL');
    await dialog()
      .getByLabel(/^API key/)
      .fill('nope');
    await dialog()
      .getByLabel(/^API base URL/)
      .fill(mollie.url);
    await dialog().getByRole('button', { name: 'Add account' }).click();
    // The server's problem+json names credentials.apiKey: the message sits under that field.
    expect(await fieldError(dialog(), /^API key/)).toBe(
      'must be a Mollie API key starting with test_ or live_',
    );
    await notified(page, 'Check the highlighted fields');
    // The form with its error and the error message are readable and labelled too.
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'provider-account-form-desktop');
    await dialog()
      .getByLabel(/^API key/)
      .fill(mollie.apiKey);
    await dialog().getByRole('button', { name: 'Add account' }).click();
    await notified(page, 'Added Mollie NL. Register its webhook URL at Mollie.');
    // The error of the first attempt goes away with the success.
    await page
      .locator('.mantine-Notification-root')
      .filter({ hasText: 'Check the highlighted fields' })
      .waitFor({ state: 'detached' });
    const card = page.getByRole('region', { name: 'Mollie NL', exact: true });
    await shows(card, '/webhooks/mollie/pa_');
    await shows(card, 'API key set');
    seeded.mollieAccount = (
      await adminApi('GET', '/api/v1/admin/provider-accounts')
    ).body.data.find((a: any) => a.name === 'Mollie NL');
    expect(seeded.mollieAccount).toMatchObject({
      provider: 'mollie',
      testMode: true,
      enabled: true,
      baseUrl: mollie.url,
    });
    expect(seeded.mollieAccount.credentials).toBeUndefined();
    expect(await card.getByRole('button', { name: 'Copy webhook URL' }).count()).toBe(1);

    await card.getByRole('button', { name: 'Edit' }).click();
    await shows(dialog(), 'never shown again');
    expect(
      await dialog()
        .getByLabel(/^API key/)
        .count(),
    ).toBe(0);
    await dialog().getByLabel(/^Name/).fill('Mollie NL main');
    await dialog()
      .getByLabel(/^Request timeout/)
      .fill('8000');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await notified(page, 'Saved Mollie NL main.');
    expect(
      (await adminApi('GET', `/api/v1/admin/provider-accounts/${seeded.mollieAccount.id}`)).body,
    ).toMatchObject({ name: 'Mollie NL main', settings: { requestTimeoutMs: 8000 } });

    const flaky = page.getByRole('region', { name: 'Flaky PSP', exact: true });
    await shows(flaky, /Circuit:\s*(open|half open)/);
    await flaky.getByRole('button', { name: 'Disable' }).click();
    await notified(page, 'Flaky PSP is disabled.');
    await shows(flaky.getByTestId('enabled-badge'), 'disabled');
    expect(
      (await adminApi('GET', `/api/v1/admin/provider-accounts/${seeded.down.id}`)).body.enabled,
    ).toBe(false);

    // One harmless call to the PSP (here the Mollie simulator) with the stored credentials.
    const mollieCard = page.getByRole('region', { name: 'Mollie NL main', exact: true });
    await mollieCard.getByRole('button', { name: 'Test connection' }).click();
    await shows(mollieCard.getByRole('status'), 'Connection works');
    await shows(mollieCard.getByRole('status'), /Mollie accepted the credentials \(HTTP 200\)/);
    // The circuit that the seeded failures opened goes back to closed after a confirmation.
    await flaky.getByRole('button', { name: 'Reset circuit' }).click();
    await shows(dialog(), 'Put Flaky PSP back in rotation now?');
    await dialog().getByRole('button', { name: 'Reset circuit' }).click();
    await notified(page, 'Circuit of Flaky PSP reset: closed, in rotation.');
    await shows(flaky.getByTestId('account-health'), /Circuit:\s*closed/);
    expect(
      (await adminApi('GET', `/api/v1/admin/provider-accounts/${seeded.down.id}/health`)).body,
    ).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    expect(await flaky.getByRole('button', { name: 'Reset circuit' }).count()).toBe(0);

    // An account with payments cannot go (refunds need it): the server says why.
    await page
      .getByRole('region', { name: 'Test provider', exact: true })
      .getByRole('button', { name: 'Delete…' })
      .click();
    await dialog().getByRole('button', { name: 'Delete account' }).click();
    await notified(page, 'disable it instead');
    const spare = (
      await adminApi('POST', '/api/v1/admin/provider-accounts', {
        provider: 'test',
        name: 'Spare',
        credentials: {},
      })
    ).body;
    await page.reload();
    await page
      .getByRole('region', { name: 'Spare', exact: true })
      .getByRole('button', { name: 'Delete…' })
      .click();
    await shows(dialog(), 'Delete Spare?');
    await dialog().getByRole('button', { name: 'Delete account' }).click();
    await notified(page, 'Deleted Spare.');
    await page.getByRole('region', { name: 'Spare', exact: true }).waitFor({ state: 'detached' });
    expect((await adminApi('GET', `/api/v1/admin/provider-accounts/${spare.id}`)).status).toBe(404);
  });

  it('routes 30 % of EUR payments to Mollie with the rule editor, shows the observed split, and refunds a Mollie payment with a link to Mollie', async () => {
    await go('/routing');
    await page.getByRole('button', { name: 'New rule' }).click();
    await dialog().getByLabel(/^Name/).fill('EUR: 30 % to Mollie');
    await dialog().getByLabel('Currencies').click();
    await dialog().getByLabel('Currencies').fill('EUR');
    await page.getByRole('option', { name: /^EUR/ }).click();
    await page.keyboard.press('Escape');
    await dialog().getByRole('button', { name: 'Add account' }).click();
    await choose(dialog(), page, 'Account 1', /^Test provider \(Test provider\)/);
    await dialog().getByRole('button', { name: 'Add account' }).click();
    await choose(dialog(), page, 'Account 2', /^Mollie NL main/);
    // Keyboard on the slider: Home (1 %), then 29 steps right: 30 %; the other target follows.
    const slider = dialog().getByRole('slider', { name: 'Share of account 2' });
    await slider.focus();
    await page.keyboard.press('Home');
    for (let i = 0; i < 29; i++) await page.keyboard.press('ArrowRight');
    await shows(dialog().getByTestId('share-1'), '30 %');
    await shows(dialog().getByTestId('share-0'), '70 %');
    await screenshot(page, 'routing-editor-desktop');
    await dialog().getByRole('button', { name: 'Add rule' }).click();
    await notified(page, 'Added rule EUR: 30 % to Mollie.');
    const rules = (await adminApi('GET', '/api/v1/admin/routing-rules')).body.data;
    const rule = rules.find((r: any) => r.name === 'EUR: 30 % to Mollie');
    expect(rule).toMatchObject({
      enabled: true,
      integrationId: null,
      conditions: { currencies: ['EUR'] },
      targets: [
        { providerAccountId: 'test', weight: 70 },
        { providerAccountId: seeded.mollieAccount.id, weight: 30 },
      ],
      fallback: [],
    });

    // Shoppers with their own emails: the split is sticky per customer, about 30 % to Mollie.
    // Until two went to Mollie (at 30 %, 40 shoppers leave that to chance about once in 10^5).
    const created: any[] = [];
    const viaMollie = () => created.filter((p) => p.provider?.name === 'mollie');
    while (viaMollie().length < 2 && created.length < 40) {
      const body = paymentBody({
        amount: { value: 2500, currency: 'EUR' },
        customer: { email: `shopper${created.length}@example.com` },
      });
      created.push((await api('POST', '/api/v1/payments', body)).body);
    }
    expect(created.every((p) => p.routing.ruleId === rule.id)).toBe(true);
    expect(viaMollie().length).toBe(2);
    const viaTest = created.filter((p) => p.provider?.name === 'test');
    expect(viaTest.length).toBe(created.length - 2);
    await page.reload();
    const card = page.getByRole('region', { name: 'EUR: 30 % to Mollie', exact: true });
    await shows(card.getByTestId(`observed-${seeded.mollieAccount.id}`), '(2)');
    await shows(card.getByTestId('observed-test'), `(${viaTest.length})`);
    await shows(card, 'EUR payments');

    // The customer pays at Mollie; the operator refunds it all from the dashboard.
    const [molliePayment, chargedBack] = viaMollie();
    await submitCheckout(molliePayment.checkoutUrl, { outcome: 'paid' });
    await eventually(
      async () => (await api('GET', `/api/v1/payments/${molliePayment.id}`)).body.status === 'paid',
    );
    await go(`/payments/${molliePayment.id}`);
    expect(await page.getByRole('link', { name: /Open in Mollie/ }).getAttribute('href')).toBe(
      `https://my.mollie.com/dashboard/payments/${molliePayment.provider.paymentId}`,
    );
    await shows(page.locator('main'), 'Rule EUR: 30 % to Mollie');
    await page.getByRole('button', { name: 'Refund…' }).click();
    await dialog().getByRole('button', { name: 'Refund €25.00' }).click();
    await notified(page, /Refunded €25\.00 \(re_\w+\)\.|Refund re_\w+ of €25\.00 is pending/);
    await eventually(
      async () =>
        (await api('GET', `/api/v1/payments/${molliePayment.id}`)).body.status === 'refunded',
    );
    expect(
      [...mollie.payments.get(molliePayment.provider.paymentId)!.refunds.values()].map(
        (r: any) => r.amount,
      ),
    ).toEqual([{ currency: 'EUR', value: '25.00' }]);

    // The customer's bank reverses another one: a chargeback, in the overview's counts.
    await submitCheckout(chargedBack.checkoutUrl, { outcome: 'paid' });
    await eventually(
      async () => (await api('GET', `/api/v1/payments/${chargedBack.id}`)).body.status === 'paid',
    );
    await mollie.chargeback(chargedBack.provider.paymentId);
    await eventually(
      async () =>
        (await api('GET', `/api/v1/payments/${chargedBack.id}`)).body.status === 'charged_back',
    );
  });

  it('edits, reorders and deletes routing rules, and names the field of a rule the server refuses', async () => {
    const usd = (
      await adminApi('POST', '/api/v1/admin/routing-rules', {
        name: 'USD via test',
        priority: 5000,
        conditions: { currencies: ['USD'] },
        targets: [{ providerAccountId: 'test', weight: 1 }],
      })
    ).body;
    await go('/routing');
    await page.getByRole('region', { name: 'USD via test', exact: true }).waitFor();
    const order = async () =>
      page
        .locator('[data-rule-id]')
        .evaluateAll((cards) => cards.map((c) => c.getAttribute('data-rule-id')));
    const before = await order();
    expect(before[before.length - 1]).toBe(usd.id);
    await page.getByRole('button', { name: 'Move USD via test up' }).click();
    await notified(page, 'Moved USD via test up.');
    await eventually(async () => (await order())[0] === usd.id);
    const listed = (await adminApi('GET', '/api/v1/admin/routing-rules')).body.data.map(
      (r: any) => r.id,
    );
    expect(listed[0]).toBe(usd.id);

    const card = page.getByRole('region', { name: 'USD via test', exact: true });
    await card.getByRole('button', { name: 'Edit' }).click();
    await dialog().getByLabel(/^Name/).fill('USD in NL via test');
    await dialog().getByLabel('Customer countries').fill('NL');
    await page.keyboard.press('Enter');
    await dialog().getByLabel('Amount from').fill('10,50');
    await dialog().getByRole('button', { name: 'Save rule' }).click();
    await notified(page, 'Saved rule USD in NL via test.');
    expect((await adminApi('GET', `/api/v1/admin/routing-rules/${usd.id}`)).body).toMatchObject({
      name: 'USD in NL via test',
      conditions: { currencies: ['USD'], countries: ['NL'], amountMin: 1050 },
    });

    // Same priority as a rule for the same payments: 400 naming `priority`, shown under it.
    const taken = (await adminApi('GET', `/api/v1/admin/routing-rules/${usd.id}`)).body.priority;
    await page.getByRole('button', { name: 'New rule' }).click();
    await dialog().getByLabel(/^Name/).fill('clash');
    await dialog()
      .getByLabel(/^Priority/)
      .fill(String(taken));
    await dialog().getByRole('button', { name: 'Add account' }).click();
    await choose(dialog(), page, 'Account 1', /^Test provider \(Test provider\)/);
    await dialog().getByRole('button', { name: 'Add rule' }).click();
    expect(await fieldError(dialog(), /^Priority/)).toContain('already has priority');
    await page.keyboard.press('Escape');
    await dialog().waitFor({ state: 'detached' });

    await page
      .getByRole('region', { name: 'USD in NL via test', exact: true })
      .getByRole('button', { name: 'Delete…' })
      .click();
    await dialog().getByRole('button', { name: 'Delete rule' }).click();
    await notified(page, 'Deleted rule USD in NL via test.');
    expect((await adminApi('GET', `/api/v1/admin/routing-rules/${usd.id}`)).status).toBe(404);
  });

  it('adds a webhook endpoint (secret shown once and valid), shows deliveries with attempts, re-sends, rotates the secret, retries a failing one and deletes', async () => {
    await go('/notifications');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await choose(dialog(), page, /^Integration/, 'default');
    await dialog().getByLabel(/^URL/).fill(receiver.url('/shop-hooks'));
    await dialog().getByRole('button', { name: 'Add endpoint' }).click();
    const secret = (await dialog().getByTestId('secret-value').textContent())!;
    expect(secret).toMatch(/^whsec_/);
    await dialog().getByRole('button', { name: 'Done' }).click();
    const endpoint = (await adminApi('GET', '/api/v1/admin/notification-endpoints')).body.data.find(
      (e: any) => e.url === receiver.url('/shop-hooks'),
    );

    const payment = await pay(
      { reference: 'order-hooks', amount: { value: 990, currency: 'USD' } },
      'paid',
    );
    const hook = await eventually(async () =>
      receiver
        .at('/shop-hooks')
        .find(
          (r) =>
            JSON.parse(r.body).data.payment.id === payment.id &&
            JSON.parse(r.body).data.payment.status === 'paid',
        ),
    );
    expect(() => new Webhook(secret).verify(hook.body, hook.headers)).not.toThrow();
    await eventually(
      async () =>
        (await adminApi('GET', `/api/v1/admin/notification-endpoints/${endpoint.id}`)).body
          .deliveryCounts.delivered > 0,
    );

    await page
      .getByRole('region', { name: `Endpoint ${receiver.url('/shop-hooks')}` })
      .getByRole('link', { name: 'Deliveries' })
      .click();
    await page.waitForURL(`${base}/dashboard/notifications/${endpoint.id}`);
    const row = page.locator('tr[data-delivery-id]').filter({ hasText: payment.id }).first();
    await shows(row, 'delivered');
    await row.getByRole('button', { name: 'Show attempts' }).click();
    await shows(page.getByRole('table', { name: 'Attempts' }).first(), /HTTP 200.*\d+ ms/);
    const sent = receiver.at('/shop-hooks').length;
    await row.getByRole('button', { name: 'Re-send' }).click();
    await notified(page, `Sending payment.status_changed for ${payment.id} again.`);
    const resent = await eventually(async () => receiver.at('/shop-hooks')[sent]);
    expect(resent.headers['webhook-id']).toBe(hook.headers['webhook-id']);

    await go('/notifications');
    await page
      .getByRole('region', { name: `Endpoint ${receiver.url('/shop-hooks')}` })
      .getByRole('button', { name: 'Rotate secret…' })
      .click();
    await choose(dialog(), page, 'Grace period', /^None/);
    await dialog().getByRole('button', { name: 'Rotate…' }).click();
    await page
      .getByRole('dialog', { name: 'Rotate the signing secret?' })
      .getByRole('button', { name: 'Rotate secret' })
      .click();
    const rotated = (await page.getByTestId('secret-value').textContent())!;
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    await page.getByRole('button', { name: 'Done' }).click();
    const next = await pay(
      { reference: 'order-hooks-2', amount: { value: 1990, currency: 'USD' } },
      'paid',
    );
    const signedAnew = await eventually(async () =>
      receiver
        .at('/shop-hooks')
        .find(
          (r) =>
            JSON.parse(r.body).data.payment.id === next.id &&
            JSON.parse(r.body).data.payment.status === 'paid',
        ),
    );
    expect(() => new Webhook(rotated).verify(signedAnew.body, signedAnew.headers)).not.toThrow();
    expect(() => new Webhook(secret).verify(signedAnew.body, signedAnew.headers)).toThrow();

    // The failing endpoint: retry one now.
    await go(`/notifications/${seeded.failingEndpoint.id}`);
    const failing = receiver.at('/failing').length;
    await page
      .locator('tr[data-delivery-id]')
      .first()
      .getByRole('button', { name: 'Retry now' })
      .click();
    await notified(page, /Sending payment\.status_changed for pay_\w+ again\./);
    await eventually(async () => receiver.at('/failing').length > failing);
    await screenshot(page, 'deliveries-attempts-desktop');

    await go('/notifications');
    const card = page.getByRole('region', { name: `Endpoint ${receiver.url('/shop-hooks')}` });
    await card.getByRole('button', { name: 'Disable' }).click();
    await notified(page, 'The endpoint is disabled.');
    expect(
      (await adminApi('GET', `/api/v1/admin/notification-endpoints/${endpoint.id}`)).body.enabled,
    ).toBe(false);
    await card.getByRole('button', { name: 'Delete…' }).click();
    await dialog().getByRole('button', { name: 'Delete endpoint' }).click();
    await notified(page, 'Deleted the endpoint.');
    expect(
      (await adminApi('GET', `/api/v1/admin/notification-endpoints/${endpoint.id}`)).status,
    ).toBe(404);
  });

  it('adds an integration, shows a new API key once, revokes it, edits and deletes the integration', async () => {
    await go('/integrations');
    await page.getByRole('button', { name: 'Add integration' }).click();
    await dialog().getByLabel(/^Name/).fill('Web shop 2');
    await choose(dialog(), page, 'Default provider account', /^Test provider/);
    await dialog().getByRole('button', { name: 'Add integration' }).click();
    await notified(page, 'Added Web shop 2.');
    const card = page.getByRole('region', { name: 'Web shop 2', exact: true });
    await card.getByRole('button', { name: 'New API key' }).click();
    const key = (await dialog().getByTestId('secret-value').textContent())!;
    expect(key.length).toBeGreaterThan(20);
    const list = await fetch(`${base}/api/v1/payments`, { headers: { 'x-api-key': key } });
    expect(list.status).toBe(200);
    await dialog().getByRole('button', { name: 'Done' }).click();
    await page.reload();
    expect(await page.locator('main').textContent()).not.toContain(key);

    await card.getByRole('button', { name: 'Revoke…' }).click();
    await dialog().getByRole('button', { name: 'Revoke key' }).click();
    await notified(page, /Revoked the key/);
    expect((await fetch(`${base}/api/v1/payments`, { headers: { 'x-api-key': key } })).status).toBe(
      401,
    );
    await shows(card, 'revoked');

    await card.getByRole('button', { name: 'Edit' }).click();
    await dialog().getByLabel(/^Name/).fill('Web shop two');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await notified(page, 'Saved Web shop two.');
    const integration = (await adminApi('GET', '/api/v1/admin/integrations')).body.data.find(
      (i: any) => i.name === 'Web shop two',
    );
    expect(integration.defaultProviderAccountId).toBe('test');
    await page
      .getByRole('region', { name: 'Web shop two', exact: true })
      .getByRole('button', { name: 'Delete…' })
      .click();
    await dialog().getByRole('button', { name: 'Delete integration' }).click();
    await notified(page, 'Deleted Web shop two.');
    expect((await adminApi('GET', `/api/v1/admin/integrations/${integration.id}`)).status).toBe(
      404,
    );
  });

  it('shows failing and dead provider webhooks among the open problems, linked to the filtered inbox', async () => {
    await go('/');
    const problems = page.getByTestId('problems');
    await shows(problems, '1 provider webhook dead');
    await problems.getByRole('link', { name: /1 provider webhook failing/ }).click();
    await page.waitForURL(`${base}/dashboard/provider-webhooks?status=failed`);
    const rows = page.locator('tr[data-webhook-id]');
    await shows(rows.first(), 'connection reset (seeded)');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-webhook-id')).toBe(seeded.failingWebhook.id);
  });

  it('lists provider webhooks by account, status and payment with a cursor, shows one with masked headers and its body, and replays a dead one after a confirmation', async () => {
    const all = (await adminApi('GET', '/api/v1/admin/provider-webhooks?limit=100')).body.data;
    expect(all.length).toBeGreaterThan(25);
    await go('/provider-webhooks');
    const ids = () =>
      page
        .locator('tr[data-webhook-id]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-webhook-id')));
    await page.locator('tr[data-webhook-id]').first().waitFor();
    expect(await ids()).toEqual(all.slice(0, 25).map((w: any) => w.id));
    await page.getByRole('button', { name: 'Older' }).click();
    await shows(page.getByText('Page 2'), 'Page 2');
    await page.locator(`tr[data-webhook-id="${all[25].id}"]`).waitFor();
    expect((await ids())[0]).toBe(all[25].id);

    await choose(page, page, 'Status', /^dead/);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/status=dead/);
    await shows(page.getByText('Page 1'), 'Page 1');
    // The previous rows stay on screen until the filtered answer replaces them.
    await eventually(
      async () => JSON.stringify(await ids()) === JSON.stringify([seeded.deadWebhook.id]),
    );
    await page.getByRole('textbox', { name: 'Payment id' }).fill('order-1002');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    expect(await fieldError(page, 'Payment id')).toBe('A payment id starts with pay_');
    await page.getByRole('textbox', { name: 'Payment id' }).fill(seeded.paid.id);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(new RegExp(`paymentId=${seeded.paid.id}`));
    await shows(page.locator('main'), 'No webhooks match these filters');
    await go(`/provider-webhooks?providerAccountId=${seeded.mollieAccount.id}`);
    await page.locator('tr[data-webhook-id]').first().waitFor();
    const mollieRows = (
      await adminApi(
        'GET',
        `/api/v1/admin/provider-webhooks?providerAccountId=${seeded.mollieAccount.id}`,
      )
    ).body.data.map((w: any) => w.id);
    expect(mollieRows.length).toBeGreaterThan(0);
    expect(await ids()).toEqual(mollieRows);

    await go(`/provider-webhooks?status=dead`);
    await page.getByRole('link', { name: `Webhook ${seeded.deadWebhook.id}` }).click();
    await page.waitForURL(`${base}/dashboard/provider-webhooks/${seeded.deadWebhook.id}`);
    await shows(page.getByTestId('webhook-error'), 'HTTP 503 (seeded)');
    await shows(page.getByTestId('webhook-body'), seeded.yen.provider.paymentId);
    const headers = page.getByRole('table', { name: 'Headers' });
    await shows(headers.locator('tr').filter({ hasText: 'test-signature' }), '[REDACTED]');
    // The signature as stored never reaches the page.
    const stored = await server.dataSource
      .getRepository(WebhookDelivery)
      .findOneByOrFail({ id: seeded.deadWebhook.id });
    const signature = stored.headers['test-signature'];
    expect(signature).toEqual(expect.any(String));
    expect(await page.locator('main').textContent()).not.toContain(signature);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'provider-webhook-dead-desktop');

    // Cancelled at the confirmation: nothing happens.
    await page.getByRole('button', { name: 'Replay…' }).click();
    await shows(dialog(), `Process ${seeded.deadWebhook.id} (dead) again?`);
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    await dialog().waitFor({ state: 'detached' });
    const before = (
      await adminApi('GET', `/api/v1/admin/provider-webhooks/${seeded.deadWebhook.id}`)
    ).body;
    expect(before).toMatchObject({ status: 'dead', attempts: seeded.deadWebhook.attempts });

    await page.getByRole('button', { name: 'Replay…' }).click();
    await dialog().getByRole('button', { name: 'Replay webhook' }).click();
    await notified(page, `Replayed ${seeded.deadWebhook.id}: processed.`);
    expect(
      (await adminApi('GET', `/api/v1/admin/provider-webhooks/${seeded.deadWebhook.id}`)).body,
    ).toMatchObject({ status: 'processed', attempts: seeded.deadWebhook.attempts + 1 });
    await shows(page.getByRole('heading', { level: 1 }), 'processed');

    // The payment's timeline has the webhook, between its status changes.
    await go(`/payments/${seeded.yen.id}`);
    const webhookEntry = page.locator('[data-kind="webhook"]');
    await shows(webhookEntry, seeded.deadWebhook.id);
    await shows(webhookEntry, 'processed');
    await webhookEntry.getByRole('link', { name: seeded.deadWebhook.id }).click();
    await page.waitForURL(`${base}/dashboard/provider-webhooks/${seeded.deadWebhook.id}`);
    await page.goBack();
    await page.getByRole('link', { name: 'Provider webhooks of this payment' }).click();
    await page.waitForURL(`${base}/dashboard/provider-webhooks?paymentId=${seeded.yen.id}`);
    await page.locator(`tr[data-webhook-id="${seeded.deadWebhook.id}"]`).waitFor();
    expect(await page.locator('tr[data-webhook-id]').count()).toBe(
      (await adminApi('GET', `/api/v1/admin/provider-webhooks?paymentId=${seeded.yen.id}`)).body
        .data.length,
    );
  });

  it('limits a provider account to chosen integrations, and names the rule that still needs an account the form would take away', async () => {
    const integration = (await adminApi('GET', '/api/v1/admin/integrations')).body.data[0];
    await go('/provider-accounts');
    const declining = page.getByRole('region', { name: 'Declining PSP', exact: true });
    await shows(declining.getByTestId('allowed-integrations'), 'every integration');
    await declining.getByRole('button', { name: 'Edit' }).click();
    const picker = dialog().getByRole('combobox', {
      name: 'Integrations that may use this account',
    });
    await picker.click();
    await page.getByRole('option', { name: integration.name, exact: true }).click();
    await page.keyboard.press('Escape');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await notified(page, 'Saved Declining PSP.');
    expect(
      (await adminApi('GET', `/api/v1/admin/provider-accounts/${seeded.declines.id}`)).body
        .integrationIds,
    ).toEqual([integration.id]);
    await shows(declining.getByTestId('allowed-integrations'), `Integrations: ${integration.name}`);

    // Mollie NL main is a target of the EUR rule for every integration: it cannot be narrowed.
    const spare = (await adminApi('POST', '/api/v1/admin/integrations', { name: 'Kiosk' })).body;
    await page.reload();
    await page
      .getByRole('region', { name: 'Mollie NL main', exact: true })
      .getByRole('button', { name: 'Edit' })
      .click();
    await dialog()
      .getByRole('combobox', { name: 'Integrations that may use this account' })
      .click();
    await page.getByRole('option', { name: 'Kiosk', exact: true }).click();
    await page.keyboard.press('Escape');
    await dialog().getByRole('button', { name: 'Save' }).click();
    expect(await fieldError(dialog(), 'Integrations that may use this account')).toContain(
      'EUR: 30 % to Mollie',
    );
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'provider-account-integrations-desktop');
    await page.keyboard.press('Escape');
    await dialog().waitFor({ state: 'detached' });
    expect(
      (await adminApi('GET', `/api/v1/admin/provider-accounts/${seeded.mollieAccount.id}`)).body
        .integrationIds,
    ).toBeNull();
    expect((await adminApi('DELETE', `/api/v1/admin/integrations/${spare.id}`)).status).toBe(204);
  });

  it('shows the audit log filtered by action, or says the server has none yet', async () => {
    const listed = await adminApi('GET', '/api/v1/admin/audit-events?limit=100');
    await go('/audit-log');
    if (listed.status === 404) {
      // GET /api/v1/admin/audit-events comes with another branch; until the server has it the
      // screen says so, and there is nothing more to drive.
      await page.getByTestId('audit-unavailable').waitFor();
      return;
    }
    expect(listed.status).toBe(200);
    const action = listed.body.data[0].action;
    await page.locator(`tr[data-audit-id="${listed.body.data[0].id}"]`).waitFor();
    await page.getByRole('textbox', { name: 'Action' }).fill(action);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/action=/);
    const expected = (
      await adminApi('GET', `/api/v1/admin/audit-events?action=${action}&limit=50`)
    ).body.data.map((e: any) => e.id);
    await eventually(
      async () =>
        JSON.stringify(
          await page
            .locator('tr[data-audit-id]')
            .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-audit-id'))),
        ) === JSON.stringify(expected),
    );
  });

  it('simulates where a EUR payment would go and why, or says the server cannot yet', async () => {
    const integration = (await adminApi('GET', '/api/v1/admin/integrations')).body.data[0];
    const dryRun = await adminApi('POST', '/api/v1/admin/routing/simulate', {
      ...paymentBody({ amount: { value: 2500, currency: 'EUR' } }),
      integrationId: integration.id,
    });
    await go('/routing');
    const box = page.getByRole('region', { name: 'Simulate a payment' });
    await choose(box, page, /^Integration/, integration.name);
    await box.getByRole('textbox', { name: /^Amount/ }).fill('25,00');
    await box.getByRole('button', { name: 'Simulate' }).click();
    if (dryRun.status === 404) {
      // POST /api/v1/admin/routing/simulate comes with another branch; until the server has
      // it the box says so.
      await box.getByTestId('simulate-unavailable').waitFor();
      return;
    }
    expect(dryRun.status).toBe(200);
    await shows(box.getByTestId('simulation-result'), 'by rule EUR: 30 % to Mollie');
    // The box's sample payment has its own reference, so its sticky bucket may differ from the
    // API call's: the rule match is the same, the split is named.
    await shows(box.getByTestId('simulation-result'), dryRun.body.reason.split(';')[0]);
    await shows(box.getByTestId('simulation-result'), /weighted split test 70 \/ pa_\w+ 30/);
  });

  it('renews the access token silently with the refresh token, so a half-filled form is saved, not lost', async () => {
    const refreshes: string[] = [];
    page.on('request', (request) => {
      if (
        request.url().startsWith(server.idp.issuer) &&
        request.method() === 'POST' &&
        (request.postData() ?? '').includes('grant_type=refresh_token')
      )
        refreshes.push(request.url());
    });
    await go('/integrations');
    await page.getByRole('button', { name: 'Add integration' }).click();
    await dialog().getByLabel(/^Name/).fill('Typed before expiry');
    // The access token is about to expire (as after a long pause): the next request renews it first.
    await page.evaluate(() => {
      const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'))!;
      const user = JSON.parse(sessionStorage.getItem(key)!);
      user.expires_at = Math.floor(Date.now() / 1000) + 5;
      sessionStorage.setItem(key, JSON.stringify(user));
    });
    await dialog().getByRole('button', { name: 'Add integration' }).click();
    await notified(page, 'Added Typed before expiry.');
    expect(refreshes.length).toBeGreaterThan(0);
    expect(page.url()).toBe(`${base}/dashboard/integrations`);
  });

  it('when the server refuses the token, keeps the typed form and signs in again in a popup', async () => {
    await go('/integrations');
    await page.getByRole('button', { name: 'Add integration' }).click();
    await dialog().getByLabel(/^Name/).fill('Typed before 401');
    await page.evaluate(() => {
      const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'))!;
      const user = JSON.parse(sessionStorage.getItem(key)!);
      user.access_token = 'not-a-token';
      sessionStorage.setItem(key, JSON.stringify(user));
    });
    await dialog().getByRole('button', { name: 'Add integration' }).click();
    await shows(page.getByRole('alert'), 'Your session has ended');
    expect(await dialog().getByLabel(/^Name/).inputValue()).toBe('Typed before 401');
    await page.keyboard.press('Escape');
    await dialog().waitFor({ state: 'detached' });

    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      page.getByRole('button', { name: 'Sign in again' }).click(),
    ]);
    await signInAtIdp(popup);
    await popup.waitForEvent('close');
    await page
      .getByRole('alert')
      .filter({ hasText: 'Your session has ended' })
      .waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Add integration' }).click();
    await dialog().getByLabel(/^Name/).fill('After signing in again');
    await dialog().getByRole('button', { name: 'Add integration' }).click();
    await notified(page, 'Added After signing in again.');
  });

  it('lays out every screen at desktop width and at 390 px without page overflow, with no WCAG A/AA violations axe can find', async () => {
    const screens: [string, string, string][] = [
      ['overview', '/', 'Overview'],
      ['payments', '/payments', 'Payments'],
      ['payment-detail', `/payments/${seeded.paid.id}`, ''],
      ['provider-accounts', '/provider-accounts', 'Provider accounts'],
      ['routing', '/routing', 'Routing'],
      ['notifications', '/notifications', 'Notifications'],
      ['deliveries', `/notifications/${seeded.failingEndpoint.id}`, 'Deliveries'],
      ['integrations', '/integrations', 'Integrations and API keys'],
      ['provider-webhooks', '/provider-webhooks', 'Provider webhooks'],
      ['provider-webhook-detail', `/provider-webhooks/${seeded.deadWebhook.id}`, ''],
      ['audit-log', '/audit-log', 'Audit log'],
    ];
    for (const [viewport, suffix] of [
      [DESKTOP, 'desktop'],
      [PHONE, 'mobile'],
    ] as const) {
      await page.setViewportSize(viewport);
      for (const [name, route, heading] of screens) {
        await go(route);
        await page
          .getByRole('heading', { level: 1, name: heading || undefined })
          .first()
          .waitFor();
        await screenshot(page, `${name}-${suffix}`);
        const width = await pageWidth(page);
        expect({
          name,
          suffix,
          width,
          overflowing: width > viewport.width ? await overflowing(page) : [],
        }).toEqual({ name, suffix, width: viewport.width, overflowing: [] });
        expect({ name, suffix, violations: await accessibilityViolations(page) }).toEqual({
          name,
          suffix,
          violations: [],
        });
      }
    }
    await page.setViewportSize(DESKTOP);
  });
});
