/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Functions passed to page.evaluate() run in the browser.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { chromiumPath } from '../support/services';
import { eventually, freePort, paymentBody, submitCheckout } from '../support/test-server';
import {
  devIdpAdminToken,
  ServerProcess,
  spawnServer,
  waitForHttp,
} from '../support/server-process';
import { WebhookReceiver } from '../support/webhook-receiver';
import {
  choose,
  DESKTOP,
  launch,
  overflowing,
  pageWidth,
  PHONE,
  screenshot,
  shows,
  signInAtIdp,
} from '../support/dashboard-browser';

const browserPath = chromiumPath();
const describeWithBrowser = browserPath ? describe : describe.skip;

/**
 * Buttons of routes other than a GET: none of them may show for a read-only user, who may call
 * only GET routes (a routing simulation too is admin-only). "Reset" alone (clearing the payment
 * filters) is not one.
 */
const WRITE_CONTROL =
  /^(add|new|create|edit|delete|remove|capture|refund|cancel|retry|re-?send|rotate|replay|revoke|save|enable|disable|reset circuit|test connection|move|simulate)\b/i;

/**
 * The operator console signed in as the bundled development identity provider's `viewer` user
 * (read-only: scope paymentserver:read, role viewer), on the server as `npm start` runs it: every
 * screen shows its data and no write control. An admin signed in on the same server sees those
 * controls, so the check is not vacuous. Screenshots go to the temp folder (docs/screenshots
 * with UPDATE_SCREENSHOTS=1), as `viewer-<screen>-<desktop|mobile>`.
 */
describeWithBrowser('the operator console for a read-only user (headless Chromium)', () => {
  jest.setTimeout(240_000);
  let server: ServerProcess;
  let dir: string;
  let base: string;
  let issuer: string;
  let apiKey: string;
  let admin: string;
  let browser: Browser;
  let page: Page;
  let receiver: WebhookReceiver;
  const seeded: Record<string, any> = {};

  const call = async (method: string, route: string, body?: unknown, token?: string) => {
    const headers: Record<string, string> = token
      ? { authorization: `Bearer ${token}` }
      : { 'x-api-key': apiKey };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${base}${route}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  const adminApi = (method: string, route: string, body?: unknown) =>
    call(method, route, body, admin);
  const created = async (method: string, route: string, body: unknown) => {
    const response = await adminApi(method, route, body);
    expect(response.status).toBe(201);
    return response.body;
  };
  const pay = async (overrides: Record<string, unknown>, outcome?: string) => {
    const res = await call('POST', '/api/v1/payments', paymentBody(overrides));
    expect(res.status).toBe(201);
    if (outcome) {
      await submitCheckout(res.body.checkoutUrl, { outcome });
      await eventually(
        async () => (await call('GET', `/api/v1/payments/${res.body.id}`)).body.status === outcome,
      );
    }
    return (await call('GET', `/api/v1/payments/${res.body.id}`)).body;
  };
  const go = (route: string) => page.goto(`${base}/dashboard${route}`);
  /** The accessible names of the page's buttons (text, else aria-label). */
  const buttonNames = () =>
    page
      .locator('button, [role="button"]')
      .evaluateAll((buttons) =>
        buttons.map((b) =>
          (b.getAttribute('aria-label') ?? b.textContent ?? '').replace(/\s+/g, ' ').trim(),
        ),
      );
  const writeControls = async () => (await buttonNames()).filter((n) => WRITE_CONTROL.test(n));
  /** The page has loaded: its level-1 heading shows and nothing is still loading. */
  const loaded = async (heading?: string) => {
    await page
      .getByRole('heading', { level: 1, name: heading || undefined })
      .first()
      .waitFor();
    await page
      .locator('[role="status"]')
      .filter({ hasText: /Loading|Checking|Totalling/ })
      .first()
      .waitFor({ state: 'detached' });
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paymentserver-viewer-'));
    const port = await freePort();
    const idpPort = await freePort();
    base = `http://localhost:${port}`;
    issuer = `http://localhost:${idpPort}`;
    apiKey = `test_viewer_${randomBytes(12).toString('hex')}`;
    receiver = await new WebhookReceiver().start();
    server = spawnServer({
      PAYMENTSERVER_PORT: String(port),
      PAYMENTSERVER_DB_URL: path.join(dir, 'db.sqlite'),
      PAYMENTSERVER_DEV_IDP_PORT: String(idpPort),
      PAYMENTSERVER_DEV_IDP_REDIRECT_URIS: `${base}/dashboard/callback`,
      PAYMENTSERVER_BOOTSTRAP_API_KEY: apiKey,
      PAYMENTSERVER_LOG_FORMAT: 'json',
      PAYMENTSERVER_CIRCUIT_FAILURE_THRESHOLD: '2',
      PAYMENTSERVER_CIRCUIT_COOLDOWN_MS: '3600000',
    });
    await waitForHttp(`${base}/health/ready`, 120_000);
    admin = await devIdpAdminToken(issuer, 'paymentserver:admin');

    // Something on every screen, with every kind of write control an admin would get.
    const integration = (await adminApi('GET', '/api/v1/admin/integrations')).body.data[0];
    seeded.integration = integration;
    await created('POST', `/api/v1/admin/integrations/${integration.id}/api-keys`, {});
    seeded.flaky = await created('POST', '/api/v1/admin/provider-accounts', {
      provider: 'test',
      name: 'Flaky PSP',
      credentials: {},
      settings: { failureMode: 'unavailable' },
    });
    // Two retryable failures in a row: its circuit opens (a Reset circuit for admins).
    for (let i = 0; i < 2; i++)
      await call('POST', '/api/v1/payments', paymentBody({ providerAccountId: seeded.flaky.id }));
    await created('POST', '/api/v1/admin/routing-rules', {
      name: 'EUR to the test PSP',
      priority: 10,
      conditions: { currencies: ['EUR'] },
      targets: [{ providerAccountId: 'test', weight: 100 }],
    });
    seeded.endpoint = await created('POST', '/api/v1/admin/notification-endpoints', {
      integrationId: integration.id,
      type: 'webhook',
      url: receiver.url('/shop'),
      events: ['payment.status_changed'],
    });
    seeded.paid = await pay(
      {
        reference: 'order-2001',
        amount: { value: 1050, currency: 'EUR' },
        customer: { email: 'jane@example.com' },
      },
      'paid',
    );
    const refund = await adminApi('POST', `/api/v1/admin/payments/${seeded.paid.id}/refunds`, {
      amount: { value: 250, currency: 'EUR' },
    });
    expect(refund.status).toBe(201);
    seeded.authorized = await pay(
      { reference: 'order-2002', amount: { value: 5000, currency: 'EUR' }, captureMode: 'manual' },
      'authorized',
    );
    seeded.pending = await pay({
      reference: 'order-2003',
      amount: { value: 2000, currency: 'EUR' },
    });
    seeded.webhook = await eventually(
      async () =>
        (await adminApi('GET', `/api/v1/admin/provider-webhooks?paymentId=${seeded.paid.id}`)).body
          .data[0],
    );
    await eventually(
      async () =>
        (
          await adminApi(
            'GET',
            `/api/v1/admin/notification-endpoints/${seeded.endpoint.id}/deliveries`,
          )
        ).body.data.length > 0,
    );

    ({ browser, page } = await launch(browserPath!));
  });

  afterAll(async () => {
    await browser?.close();
    await receiver?.stop();
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('signs in as the development identity provider user `viewer` and is told it may only read', async () => {
    await go('/');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await signInAtIdp(page, 'viewer');
    await page.waitForURL(`${base}/dashboard/`);
    await loaded('Overview');
    const me = await page.evaluate(async () => {
      const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'))!;
      const token = (JSON.parse(sessionStorage.getItem(key)!) as { access_token: string })
        .access_token;
      const response = await fetch('/api/v1/admin/me', {
        headers: { authorization: `Bearer ${token}` },
      });
      return (await response.json()) as { canWrite: boolean; sub: string };
    });
    expect(me).toMatchObject({ canWrite: false, sub: 'viewer' });
  });

  // [screenshot name, route, level-1 heading ('' when it is the payment's amount), data shown]
  const screens = (): [string, string, string, string | RegExp][] => [
    ['overview', '/', 'Overview', /Flaky PSP: circuit open/],
    ['payments', '/payments', 'Payments', 'order-2001'],
    ['payment-detail', `/payments/${seeded.paid.id}`, '', 'order-2001'],
    ['payment-authorized', `/payments/${seeded.authorized.id}`, '', 'order-2002'],
    ['provider-accounts', '/provider-accounts', 'Provider accounts', 'Flaky PSP'],
    ['routing', '/routing', 'Routing', 'EUR to the test PSP'],
    ['notifications', '/notifications', 'Notifications', receiver.url('/shop')],
    ['deliveries', `/notifications/${seeded.endpoint.id}`, 'Deliveries', 'delivered'],
    ['provider-webhooks', '/provider-webhooks', 'Provider webhooks', seeded.webhook.id],
    ['provider-webhook-detail', `/provider-webhooks/${seeded.webhook.id}`, '', seeded.paid.id],
    ['integrations', '/integrations', 'Integrations and API keys', seeded.integration.name],
    ['audit-log', '/audit-log', 'Audit log', 'provider_account.create'],
  ];

  it('shows every screen with its data and no write control, at desktop width and at 390 px', async () => {
    for (const [viewport, suffix] of [
      [DESKTOP, 'desktop'],
      [PHONE, 'mobile'],
    ] as const) {
      await page.setViewportSize(viewport);
      for (const [name, route, heading, data] of screens()) {
        // Each page load asks GET /api/v1/admin/me again; write controls would show after it.
        const me = page.waitForResponse((r) => r.url().endsWith('/api/v1/admin/me'));
        await go(route);
        expect((await me).status()).toBe(200);
        await loaded(heading);
        await shows(page.locator('main'), data);
        expect({ name, suffix, writeControls: await writeControls() }).toEqual({
          name,
          suffix,
          writeControls: [],
        });
        await screenshot(page, `viewer-${name}-${suffix}`);
        const width = await pageWidth(page);
        expect({
          name,
          suffix,
          overflowing: width > viewport.width ? await overflowing(page) : [],
        }).toEqual({ name, suffix, overflowing: [] });
      }
    }
    await page.setViewportSize(DESKTOP);
  });

  it('shows the circuit of an account in words, without Reset circuit or Test connection', async () => {
    await go('/provider-accounts');
    const card = page.getByRole('region', { name: 'Flaky PSP' });
    await shows(card.getByTestId('account-health'), 'skipped by routing');
    await shows(card.getByTestId('account-health'), '2 failures in a row');
    expect(await card.getByRole('button', { name: 'Reset circuit' }).count()).toBe(0);
    expect(await card.getByRole('button', { name: 'Test connection' }).count()).toBe(0);
    expect(await card.getByRole('button', { name: /Copy webhook URL/ }).count()).toBe(1);
  });

  it('offers a viewer no routing simulation: the server lets only admins call it', async () => {
    const me = page.waitForResponse((r) => r.url().endsWith('/api/v1/admin/me'));
    await go('/routing');
    await me;
    await loaded('Routing');
    await shows(page.locator('main'), 'EUR to the test PSP');
    expect(await page.getByRole('region', { name: 'Simulate a payment' }).count()).toBe(0);
  });

  it('gives an admin on the same server the write controls the viewer did not get', async () => {
    const adminContext = await browser.newContext({ viewport: DESKTOP, locale: 'en-US' });
    const adminPage = await adminContext.newPage();
    adminPage.setDefaultTimeout(20_000);
    try {
      await adminPage.goto(`${base}/dashboard/provider-accounts`);
      await adminPage.getByRole('button', { name: 'Sign in' }).click();
      await signInAtIdp(adminPage, 'operator@example.com');
      await adminPage.waitForURL(`${base}/dashboard/provider-accounts`);
      const card = adminPage.getByRole('region', { name: 'Flaky PSP' });
      await card.getByRole('button', { name: 'Reset circuit' }).waitFor();
      await card.getByRole('button', { name: 'Test connection' }).waitFor();
      await card.getByRole('button', { name: 'Edit' }).waitFor();
      await adminPage.goto(`${base}/dashboard/payments/${seeded.authorized.id}`);
      await adminPage
        .getByRole('button', { name: /^Capture/ })
        .first()
        .waitFor();
      await adminPage.goto(`${base}/dashboard/routing`);
      const box = adminPage.getByRole('region', { name: 'Simulate a payment' });
      await choose(box, adminPage, /^Integration/, seeded.integration.name);
      await box.getByRole('textbox', { name: /^Amount/ }).fill('25,00');
      await box.getByRole('button', { name: 'Simulate' }).click();
      await shows(box.getByTestId('simulation-result'), 'EUR to the test PSP');
    } finally {
      await adminContext.close();
    }
  });
});
