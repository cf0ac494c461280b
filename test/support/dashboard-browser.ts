/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Functions passed to page.evaluate() run in the browser.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Browser, BrowserContext, chromium, Locator, Page } from 'playwright-core';

/** Flags for Debian's Chromium in a container: no sandbox, GPU, QUIC or background traffic. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 390, height: 844 };

/**
 * Where screenshots go: docs/screenshots when UPDATE_SCREENSHOTS=1 (to refresh the
 * documentation's pictures), a temporary folder otherwise, so a test run leaves the tree clean.
 */
export const SCREENSHOTS =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? path.resolve(__dirname, '../../docs/screenshots')
    : path.join(os.tmpdir(), 'paymentserver-screenshots');

export async function launch(
  executablePath: string,
): Promise<{ browser: Browser; context: BrowserContext; page: Page }> {
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  // A time zone away from UTC, so that local times and their UTC hover text differ.
  const context = await browser.newContext({
    viewport: DESKTOP,
    locale: 'en-US',
    timezoneId: 'Europe/Amsterdam',
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return { browser, context, page };
}

/**
 * Signs in on the identity provider's development login page (any password) and grants the
 * consent (prompt=consent); with a session at the provider already, only the consent page shows.
 */
export async function signInAtIdp(page: Page, user = 'operator@example.com'): Promise<void> {
  const login = page.locator('input[name="login"]');
  await page.locator('input[name="login"], button[type="submit"]').first().waitFor();
  if (await login.count()) {
    await login.fill(user);
    await page.fill('input[name="password"]', 'any');
    await page.click('button[type="submit"]');
    await login.waitFor({ state: 'detached' });
  }
  await page.click('button[type="submit"]'); // consent: Continue
}

/** Waits until `locator` shows `text` (a string or a pattern). */
export async function shows(locator: Locator, text: string | RegExp): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor();
}

/** The latest notification toast with this text. */
export async function notified(page: Page, text: string | RegExp): Promise<void> {
  await page.locator('.mantine-Notification-root').filter({ hasText: text }).first().waitFor();
}

/** Picks `option` in the Mantine Select labelled `label` (inside `scope`). */
export async function choose(
  scope: Page | Locator,
  page: Page,
  label: string | RegExp,
  option: string | RegExp,
): Promise<void> {
  await scope.getByLabel(label).first().click();
  await page.getByRole('option', { name: option }).first().click();
}

/** No horizontal scrolling of the page itself (tables scroll inside their own box). */
export async function pageWidth(page: Page): Promise<number> {
  return page.evaluate(() =>
    Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
  );
}

/**
 * The outermost elements that stick out to the right of the viewport, for the failure message
 * (content of a scrolling box sticks out too, harmlessly).
 */
export async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const wide = [...document.querySelectorAll<HTMLElement>('body *')].filter(
      (el) => el.getBoundingClientRect().right > window.innerWidth + 1,
    );
    return wide
      .filter((el) => !wide.includes(el.parentElement!))
      .slice(0, 5)
      .map(
        (el) =>
          `${el.outerHTML.slice(0, 120)}… (${Math.round(el.getBoundingClientRect().right)}px)`,
      );
  });
}

/** A full-page screenshot for docs/screenshots, once the page has stopped loading. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page
    .locator('[role="status"]')
    .filter({ hasText: /Loading|Checking|Totalling/ })
    .first()
    .waitFor({ state: 'detached' })
    .catch(() => undefined);
  await page.mouse.move(0, 0);
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({
    path: path.join(SCREENSHOTS, `${name}.png`),
    fullPage: true,
    animations: 'disabled',
  });
}

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * WCAG 2 A and AA violations axe-core finds on the page as it is (labels, contrast, names,
 * landmarks), as readable lines. Evaluated through the DevTools protocol, which the page's
 * Content-Security-Policy does not govern.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            context: unknown,
            options: unknown,
          ): Promise<{ violations: { id: string; help: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map(
      (v) =>
        `${v.id}: ${v.help} (${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(', ')})`,
    );
  });
  return violations;
}

/** The error Mantine shows under the field labelled `label` (via aria-describedby), or null. */
export async function fieldError(
  scope: Page | Locator,
  label: string | RegExp,
): Promise<string | null> {
  const page = 'page' in scope ? scope.page() : scope;
  const input = scope.getByLabel(label).first();
  // Validation in the page is immediate; the server's answer takes a moment.
  const invalid = await input
    .and(page.locator('[aria-invalid="true"]'))
    .waitFor({ timeout: 10_000 })
    .then(() => true)
    .catch(() => false);
  if (!invalid) return null;
  const ids = ((await input.getAttribute('aria-describedby')) ?? '')
    .split(/\s+/)
    .filter((id) => id.endsWith('-error'));
  if (ids.length === 0) return null;
  return page.locator(`[id="${ids[0]}"]`).textContent();
}
