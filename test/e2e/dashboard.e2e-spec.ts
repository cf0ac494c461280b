import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { chromium, Browser, Page } from 'playwright-core';
import { eventually, freePort, paymentBody, submitCheckout } from '../support/test-server';
import { ServerProcess, spawnServer, waitForHttp } from '../support/server-process';
import { chromiumPath } from '../support/services';
import { WebhookReceiver } from '../support/webhook-receiver';
import { Webhook } from 'standardwebhooks';

const browserPath = chromiumPath();
const describeWithBrowser = browserPath ? describe : describe.skip;

/**
 * The dashboard in a real browser against the real server and its bundled development
 * identity provider: sign-in by authorization code + PKCE, then payments and integrations
 * through the Admin API.
 */
describeWithBrowser('the web dashboard (headless Chromium)', () => {
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;
  let base: string;
  let dir: string;
  const apiKey = `dash_${randomBytes(12).toString('hex')}`;

  const api = async (
    method: string,
    route: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(`${base}${route}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as any };
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paymentserver-dashboard-'));
    const port = await freePort();
    // localhost, as the development provider registers the dashboard's redirect URI under it.
    base = `http://localhost:${port}`;
    server = spawnServer({
      PAYMENTSERVER_PORT: String(port),
      PAYMENTSERVER_DB_URL: path.join(dir, 'db.sqlite'),
      PAYMENTSERVER_BOOTSTRAP_API_KEY: apiKey,
      PAYMENTSERVER_DEV_IDP_PORT: '0',
    });
    await waitForHttp(`${base}/health/ready`);
    browser = await chromium.launch({
      executablePath: browserPath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage();
    page.setDefaultTimeout(20_000);
  });

  afterAll(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    await server?.exited;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows nothing but a sign-in button without a token, and the Admin API refuses the page origin without one', async () => {
    await page.goto(`${base}/dashboard/`);
    await expect(page.locator('#auth-button').textContent()).resolves.toBe('Sign in');
    await expect(page.locator('main h1').textContent()).resolves.toBe('Sign in');
    expect((await fetch(`${base}/api/v1/admin/payments`)).status).toBe(401);
    const csp = (await fetch(`${base}/dashboard/`)).headers.get('content-security-policy');
    expect(csp).toContain("script-src 'self'");
  });

  it('signs in at the development identity provider with authorization code + PKCE', async () => {
    await page.click('#auth-button');
    // oidc-provider's development login and consent pages.
    await page.fill('input[name="login"]', 'operator@example.com');
    await page.fill('input[name="password"]', 'any');
    await page.click('button[type="submit"]');
    await page.click('button[type="submit"]'); // consent: Continue
    await page.waitForURL(/\/dashboard\/#\/payments$/);
    await expect(page.locator('#who').textContent()).resolves.toBe('operator@example.com');
    await expect(page.locator('main h1').textContent()).resolves.toBe('Payments');
  });

  it('lists a paid payment, shows its history, and refunds part of it in major units without rounding', async () => {
    const created = await api(
      'POST',
      '/api/v1/payments',
      paymentBody({ reference: 'order-dash-1', amount: { value: 1050, currency: 'EUR' } }),
      {
        'idempotency-key': randomBytes(8).toString('hex'),
      },
    );
    expect(created.status).toBe(201);
    await submitCheckout(created.body.checkoutUrl, { outcome: 'paid' });
    await eventually(
      async () => (await api('GET', `/api/v1/payments/${created.body.id}`)).body.status === 'paid',
    );

    await page.goto(`${base}/dashboard/#/payments?status=paid`);
    const row = page.locator('tr', { hasText: 'order-dash-1' });
    await expect(row.locator('td').nth(3).textContent()).resolves.toBe('EUR 10.50');
    await row.locator('a').click();
    await page.waitForSelector('#refund-form');
    await expect(page.locator('main h1').textContent()).resolves.toContain('paid');
    await expect(page.locator('table', { hasText: 'Source' }).textContent()).resolves.toContain(
      'pending → paid',
    );

    await page.fill('#refund-form input[name="amount"]', '4.1');
    await page.fill('#refund-form input[name="reason"]', 'damaged');
    await page.click('#refund-form button[type="submit"]');
    await expect(page.locator('#flash .notice').textContent()).resolves.toMatch(
      /^Refund re_\w+ of EUR 4\.10 is (pending|succeeded)\.$/,
    );
    const after = await eventually(async () => {
      const payment = (await api('GET', `/api/v1/payments/${created.body.id}`)).body;
      return payment.amountRefunded === 410 ? payment : undefined;
    });
    expect(after.status).toBe('partially_refunded');

    // More decimals than EUR has is refused in the page, before any request.
    await page.goto(`${base}/dashboard/#/payments/${created.body.id}`);
    await page.fill('#refund-form input[name="amount"]', '0.001');
    await page.click('#refund-form button[type="submit"]');
    await expect(page.locator('#flash .error').textContent()).resolves.toContain(
      'not a valid EUR amount',
    );
    expect((await api('GET', `/api/v1/payments/${created.body.id}`)).body.amountRefunded).toBe(410);
  });

  it('creates an integration and an API key that is shown once and works on the payment API', async () => {
    await page.goto(`${base}/dashboard/#/integrations`);
    await page.fill('#integration-form input[name="name"]', 'shop-from-dashboard');
    await page.click('#integration-form button[type="submit"]');
    const row = page.locator('tr', { hasText: 'shop-from-dashboard' });
    await row.locator('button', { hasText: 'New API key' }).click();
    const key = (await page.locator('#flash code.secret').textContent())!;
    expect(key.length).toBeGreaterThan(20);
    const list = await fetch(`${base}/api/v1/payments`, { headers: { 'x-api-key': key } });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { data: unknown[] }).data).toEqual([]);
    // The key is not shown again after a reload: only its prefix.
    await page.reload();
    await expect(page.locator('main').textContent()).resolves.not.toContain(key);
  });

  it('creates and disables a provider account, showing the webhook URL to register', async () => {
    await page.goto(`${base}/dashboard/#/provider-accounts`);
    await page.selectOption('#account-form select[name="provider"]', 'test');
    await page.fill('#account-form input[name="name"]', 'second test account');
    await page.click('#account-form button[type="submit"]');
    const row = page.locator('tr', { hasText: 'second test account' });
    await expect(row.textContent()).resolves.toContain('/webhooks/test/');
    await row.locator('button', { hasText: 'Disable' }).click();
    // The table is rebuilt from the Admin API's answer after the PATCH.
    await row.locator('button', { hasText: 'Enable' }).waitFor();
    await expect(row.locator('td').nth(4).textContent()).resolves.toBe('no');
  });
  it('creates a routing rule from JSON, shows the field error of a bad one, and shows statistics', async () => {
    await page.goto(`${base}/dashboard/#/routing-rules`);
    const rule = {
      name: 'JPY via test',
      priority: 5,
      enabled: true,
      integrationId: null,
      conditions: { currencies: ['JPY'] },
      targets: [{ providerAccountId: 'test', weight: 1 }],
      fallback: [],
    };
    await page.fill('#rule-form textarea[name="rule"]', JSON.stringify(rule));
    await page.click('#rule-form button[type="submit"]');
    const row = page.locator('tr', { hasText: 'JPY via test' });
    await expect(row.textContent()).resolves.toContain('test ×1');

    await page.fill(
      '#rule-form textarea[name="rule"]',
      JSON.stringify({ ...rule, name: 'no targets', priority: 6, targets: [] }),
    );
    await page.click('#rule-form button[type="submit"]');
    await expect(page.locator('#flash .error').textContent()).resolves.toContain('targets');
    await expect(page.locator('main').textContent()).resolves.not.toContain('no targets');

    await page.goto(`${base}/dashboard/#/stats?groupBy=provider`);
    await page.locator('main h1', { hasText: 'Statistics' }).waitFor();
    const stats = page.locator('tbody tr', { hasText: 'test' });
    // The one payment of this suite, paid for EUR 10.50.
    await expect(stats.textContent()).resolves.toContain('EUR 10.50');
  });
  it('adds a webhook notification endpoint (secret shown once) and shows its signed delivery', async () => {
    const receiver = await new WebhookReceiver().start();
    try {
      await page.goto(`${base}/dashboard/#/notification-endpoints`);
      await page.selectOption('#endpoint-form select[name="integrationId"]', { label: 'default' });
      await page.selectOption('#endpoint-form select[name="type"]', 'webhook');
      await page.fill(
        '#endpoint-form input[name="target"]',
        `http://127.0.0.1:${receiver.port}/shop-hooks`,
      );
      await page.click('#endpoint-form button[type="submit"]');
      const secret = (await page.locator('#flash code.secret').textContent())!;
      expect(secret).toMatch(/^whsec_/);

      const created = await api(
        'POST',
        '/api/v1/payments',
        paymentBody({ reference: 'order-dash-2' }),
        { 'idempotency-key': randomBytes(8).toString('hex') },
      );
      await submitCheckout(created.body.checkoutUrl, { outcome: 'paid' });
      const hook = await eventually(async () =>
        receiver.received.find(
          (r) =>
            r.body.includes(created.body.id) && JSON.parse(r.body).data.payment.status === 'paid',
        ),
      );
      // The secret the page showed is the one the shop verifies with.
      expect(() => new Webhook(secret).verify(hook.body, hook.headers)).not.toThrow();

      await page
        .locator('tr', { hasText: `127.0.0.1:${receiver.port}` })
        .locator('a', { hasText: 'Deliveries' })
        .click();
      const delivered = page.locator('tbody tr', { hasText: 'delivered' });
      await delivered.first().waitFor();
      await expect(page.locator('main').textContent()).resolves.not.toContain(secret);
    } finally {
      await receiver.stop();
    }
  });
});
