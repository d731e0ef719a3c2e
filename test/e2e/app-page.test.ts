/**
 * The production phone page (demo off) in a real Chromium on a phone-sized
 * screen: it renders under the server's CSP with nothing refused, follows
 * prefers-color-scheme, is in the language the phone asks for, and its
 * button carries the login into the app's link. Screenshots of each
 * language, light and dark, go to test-artifacts/e2e.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium, phoneContext, screenshot, watchProblems } from '../support/chromium';
import { createLogin } from '../support/client';
import { startTestServer, type TestServer } from '../support/server';

let browser: Browser;
let server: TestServer;
const contexts: BrowserContext[] = [];
beforeAll(async () => {
  browser = await launchChromium();
  server = await startTestServer({
    store: 'memory',
    env: {
      SITE_NAME: 'Shop',
      APP_LINK_URL: 'https://app.shop.example/qr-login',
      APP_STORE_URL: 'https://apps.apple.com/app/id123456789',
      PLAY_STORE_URL: 'https://play.google.com/store/apps/details?id=com.shop.app',
    },
  });
});
afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close()));
  await browser?.close();
  await server?.close();
});

const LANGUAGES = [
  ['en', 'en-US,en;q=0.9', 'Open in the Shop app'],
  ['zh-CN', 'zh-CN,zh;q=0.9', '在 Shop App 中打开'],
  ['es', 'es-ES,es;q=0.9', 'Abrir en la app de Shop'],
] as const;

describe.each(LANGUAGES)('%s', (lang, acceptLanguage, button) => {
  test.each(['light', 'dark'] as const)('%s: styled by its stylesheet with no CSP refusal, and the button opens the app link with the login', async (scheme) => {
    const context = await phoneContext(browser, { 'accept-language': acceptLanguage });
    contexts.push(context);
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.emulateMedia({ colorScheme: scheme });
    const login = await createLogin(server.url);
    await page.goto(`${server.url}/m/login?id=${login.id}&code=${login.code}`);

    expect(await page.getAttribute('html', 'lang')).toBe(lang);
    const open = page.locator('a.open');
    expect((await open.textContent())?.trim()).toBe(button);
    const href = new URL((await open.getAttribute('href')) as string);
    expect([href.origin + href.pathname, href.searchParams.get('id'), href.searchParams.get('code')]).toEqual([
      'https://app.shop.example/qr-login', login.id, login.code,
    ]);
    // The stylesheet applied (the card is not the default transparent), in the scheme asked for.
    const colors = await page.evaluate(() => ({
      page: getComputedStyle(document.documentElement).backgroundColor,
      card: getComputedStyle(document.querySelector('.card') as Element).backgroundColor,
    }));
    expect(colors.card).toBe(scheme === 'dark' ? 'rgb(27, 32, 41)' : 'rgb(255, 255, 255)');
    expect(colors.page).toBe(scheme === 'dark' ? 'rgb(16, 19, 26)' : 'rgb(238, 241, 246)');
    await screenshot(page, `app-page-${lang}-${scheme}`);
    expect(problems).toEqual([]);
  });
});
