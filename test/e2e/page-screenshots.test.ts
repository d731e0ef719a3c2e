/**
 * Screenshots of every demo page in every state, light and dark, in each
 * language, for a person to look at: test-artifacts/screenshots/<lang>/
 * <page>-<n>-<state>-<light|dark>.png. Each state is reached the way a user
 * reaches it and checked (in that language) before it is taken.
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_LANGUAGES, DEMO_TEXT, type DemoLanguage } from '../../client/demo/i18n';
import { desktopContext, launchChromium, phoneContext, waitForText, watchProblems } from '../support/chromium';
import { startTestServer, type TestServer } from '../support/server';

const SITE = 'Shop';
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts', 'screenshots');
const ACCEPT_LANGUAGE: Record<DemoLanguage, string> = { en: 'en-US,en;q=0.9', 'zh-CN': 'zh-CN,zh;q=0.9', es: 'es-ES,es;q=0.9' };

let browser: Browser;
let server: TestServer;
/** QR codes live 3 s here: the expired state comes by itself. */
let shortLived: TestServer;
const contexts: BrowserContext[] = [];
const problems: string[][] = [];

beforeAll(async () => {
  const env = { DEMO: '1', DEMO_FORCE: '1', SITE_NAME: SITE, TRUST_PROXY: '1' };
  [browser, server, shortLived] = await Promise.all([
    launchChromium(),
    startTestServer({ env }),
    startTestServer({ env: { ...env, QR_TTL_SECONDS: '3' } }),
  ]);
});
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
  expect(problems.splice(0).flat()).toEqual([]);
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([server?.close(), shortLived?.close()]);
});

describe.each(DEMO_LANGUAGES)('screenshots in %s, light and dark', (lang) => {
  const text = DEMO_TEXT[lang];
  const taken: string[] = [];

  /** The page as it is now, once in each colour scheme. */
  async function shoot(page: Page, name: string): Promise<void> {
    mkdirSync(join(ARTIFACTS, lang), { recursive: true });
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      const path = join(ARTIFACTS, lang, `${name}-${colorScheme}.png`);
      await page.screenshot({ path });
      taken.push(path);
    }
    await page.emulateMedia({ colorScheme: null });
  }

  async function open(context: Promise<BrowserContext>, url: string): Promise<Page> {
    const ctx = await context;
    if (!contexts.includes(ctx)) contexts.push(ctx);
    const page = await ctx.newPage();
    problems.push(watchProblems(page));
    await page.goto(url);
    return page;
  }
  const desktop = async (base: string) => {
    return open(desktopContext(browser, { locale: lang }), `${base}/`);
  };
  const phone = (url: string, headers: Record<string, string> = {}) =>
    open(phoneContext(browser, { 'accept-language': ACCEPT_LANGUAGE[lang], ...headers }), url);
  const link = async (page: Page) => (await page.getAttribute('#phone-link', 'href')) as string;

  test('a login confirmed, one cancelled from another network, a used and a missing link', async () => {
    const login = await desktop(server.url);
    await waitForText(login, '#status', text.login.scan);
    await shoot(login, 'login-1-pending');

    const narrow = await phone(`${server.url}/`);
    await waitForText(narrow, '#status', text.login.enterCode(SITE));
    await shoot(narrow, 'login-2-pending-phone-width');

    const first = await link(login);
    const app = await phone(first);
    await app.locator('#users button[data-user="ana"]').waitFor();
    await shoot(app, 'phone-1-pick-user');
    await app.click('#users button[data-user="ana"]');
    await waitForText(app, '#ask', text.phone.ask(SITE, 'Ana'));
    await shoot(app, 'phone-2-request');
    await waitForText(login, '#status', text.login.scannedBy('Ana'));
    await login.waitForFunction(() => (document.getElementById('avatar') as HTMLImageElement).naturalWidth > 0);
    await shoot(login, 'login-3-scanned');

    await app.click('#confirm');
    await waitForText(app, '#result', text.phone.done('Chrome 131'));
    await shoot(app, 'phone-3-done');
    await waitForText(login, '#status', text.login.welcome('Ana'));
    await shoot(login, 'login-4-welcome');

    // A new code, scanned from another network (the warning), and cancelled there.
    await login.reload();
    await waitForText(login, '#status', text.login.scan);
    const far = await phone(await link(login), { 'x-forwarded-for': '203.0.113.9' });
    await far.click('#users button[data-user="chloe"]');
    await far.locator('#warning').waitFor({ state: 'visible' });
    await shoot(far, 'phone-4-request-other-network');
    await far.click('#cancel');
    await waitForText(far, '#result', text.phone.cancelled);
    await shoot(far, 'phone-5-cancelled');
    await waitForText(login, '#status', text.login.cancelled);
    await shoot(login, 'login-5-cancelled');

    const used = await phone(first);
    await used.click('#users button[data-user="ben"]');
    await used.locator('#phone[data-step="error"]').waitFor();
    await shoot(used, 'phone-6-code-used');
    const bare = await phone(`${server.url}/m/login`);
    await waitForText(bare, '#result', text.phone.noLink);
    await shoot(bare, 'phone-7-no-link');
  });

  test('an expired code, replaced', async () => {
    const login = await desktop(shortLived.url);
    await waitForText(login, '#status', text.login.expiredNewCode);
    await shoot(login, 'login-6-expired-new-code');
  });

  afterAll(() => {
    // Every state was taken in both schemes, and none of the files is empty.
    expect(taken).toHaveLength(2 * 13); // 6 login and 7 phone states
    for (const path of taken) expect(statSync(path).size).toBeGreaterThan(1000);
  });
});
