/**
 * The demo pages for everyone: in the language the browser asks for, light
 * or dark, usable from the keyboard, and honest after a scan (who scanned,
 * "Not you? Start over"); at phone width the login page offers the user code
 * instead of a QR the phone cannot scan from its own screen.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_LANGUAGES, DEMO_TEXT } from '../../client/demo/i18n';
import { parseLoginQr } from '../../client/mobile';
import { call } from '../support/client';
import { desktopContext, launchChromium, phoneContext, waitForText, watchProblems } from '../support/chromium';
import { contrastRatio } from '../support/contrast';
import { startTestServer, type TestServer } from '../support/server';
import { userCodesOf, withoutUserCodes } from '../support/user-code';
import { waitFor } from '../support/wait';

const SITE = 'Shop';
const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;
let browser: Browser;
let server: TestServer;
const contexts: BrowserContext[] = [];
const problems: string[][] = [];

beforeAll(async () => {
  [browser, server] = await Promise.all([launchChromium(), startTestServer({ env: { DEMO: '1', DEMO_FORCE: '1', SITE_NAME: SITE } })]);
});
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
  expect(problems.splice(0).flat()).toEqual([]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function open(context: BrowserContext, path: string): Promise<Page> {
  contexts.push(context);
  const page = await context.newPage();
  problems.push(watchProblems(page));
  await page.goto(server.url + path);
  return page;
}

const loginRef = async (page: Page) => {
  const ref = parseLoginQr((await page.getAttribute('#phone-link', 'href')) ?? '');
  if (!ref) throw new Error('the page links no login QR');
  return ref;
};

describe('language from Accept-Language, chosen by the server', () => {
  test.each([
    ['zh-TW,zh;q=0.9,en;q=0.5', 'zh-CN'],
    ['es-MX', 'es'],
    ['fr-FR, de;q=0.8', 'en'],
    ['en-GB,es;q=0.5', 'en'],
    ['da, es;q=0.9, zh-CN;q=0.8', 'es'],
  ])('%s → %s, on both pages, every slot filled', async (acceptLanguage, lang) => {
    for (const [path, page] of [['/', 'login'], ['/m/login?id=x&code=y', 'phone']] as const) {
      const res = await call(server.url, 'GET', path, { headers: { 'accept-language': acceptLanguage } });
      expect(res.status).toBe(200);
      expect(res.headers.get('vary')).toMatch(/accept-language/i);
      const html = res.body as string;
      expect(html).toContain(`<html lang="${lang}">`);
      expect(html).toContain(`<meta name="qrlogin-site-name" content="${SITE}">`);
      const text = DEMO_TEXT[lang as keyof typeof DEMO_TEXT][page];
      expect(html).toContain(`<h1>${text.heading(SITE)}</h1>`);
      expect(html).not.toContain('{{');
    }
  });

  test('no Accept-Language: English', async () => {
    const res = await call(server.url, 'GET', '/');
    expect(res.body).toContain('<html lang="en">');
  });

  test('the three languages say different things', () => {
    const scans = DEMO_LANGUAGES.map((lang) => DEMO_TEXT[lang].login.scan);
    expect(new Set(scans).size).toBe(3);
  });
});

test('/favicon.ico is an icon', async () => {
  const res = await fetch(`${server.url}/favicon.ico`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('image/x-icon');
  const bytes = Buffer.from(await res.arrayBuffer());
  expect([...bytes.subarray(0, 4)]).toEqual([0, 0, 1, 0]); // ICONDIR: reserved 0, type 1 (icon)
});

describe('in Spanish, in Chromium', () => {
  const es = DEMO_TEXT.es;

  test('the user code under the QR; after a scan: who scanned and "Not you? Start over", which gives a new code', async () => {
    const desktopCtx = await desktopContext(browser, { locale: 'es-ES' });
    const codes = userCodesOf(desktopCtx);
    const desktop = await open(desktopCtx, '/');
    await waitForText(desktop, '#status', es.login.scan);
    expect(await desktop.getAttribute('html', 'lang')).toBe('es');
    expect(await desktop.textContent('h1')).toBe(es.login.heading(SITE));
    expect(await desktop.isVisible('#qr svg')).toBe(true);
    await waitFor(() => codes.length === 1);
    expect(codes[0]).toMatch(USER_CODE);
    expect((await desktop.textContent('#user-code-line'))?.replace(/\s+/g, ' ').trim()).toBe(`${es.login.cantScan} ${codes[0]}`);
    const first = await loginRef(desktop);

    // The phone page, in Spanish too, names the site and the account; focus goes to that question.
    const phone = await open(await phoneContext(browser, { 'accept-language': 'es-ES' }), `/m/login?id=${first.id}&code=${first.code}`);
    await phone.click('#users button[data-user="ana"]');
    await phone.locator('#request').waitFor();
    expect(await phone.textContent('#ask')).toBe(es.phone.ask(SITE, 'Ana'));
    expect(await phone.evaluate(() => document.activeElement?.id)).toBe('ask');

    await waitForText(desktop, '#status', es.login.scannedBy('Ana'));
    expect(await desktop.isVisible('#hint')).toBe(false); // no more "scan the code"
    expect(await desktop.isVisible('#user-code-line')).toBe(false);
    expect(await desktop.isVisible('#who')).toBe(true);
    expect(await desktop.textContent('#start-over')).toBe(es.login.notYou);

    // Not Ana at this desk: start over. The scanned session is given up, a new code shows.
    await desktop.click('#start-over');
    await waitForText(desktop, '#status', es.login.scan);
    const second = await loginRef(desktop);
    expect(second.id).not.toBe(first.id);
    await waitFor(() => codes.length === 2);
    expect(await desktop.textContent('#user-code')).toBe(codes[1]);
    expect(await desktop.isVisible('#start-over')).toBe(false);
    await phone.click('#confirm');
    await waitForText(phone, '#result', es.phone.invalidState); // the old login no longer waits for Ana
  });

  test('at phone width the login page offers the user code instead of the QR', async () => {
    const ctx = await phoneContext(browser, { 'accept-language': 'es-ES' });
    const codes = userCodesOf(ctx);
    const page = await open(ctx, '/');
    await waitForText(page, '#status', es.login.enterCode(SITE));
    expect(await page.isVisible('#qr')).toBe(false);
    expect(await page.isVisible('#hint')).toBe(false);
    expect(await page.isVisible('#user-code')).toBe(true);
    await waitFor(() => codes.length === 1);
    expect(await page.textContent('#user-code')).toBe(codes[0]);
  });

  test('at phone width against a server without user codes (v1.0), the QR stays', async () => {
    const ctx = await phoneContext(browser, { 'accept-language': 'es-ES' });
    await withoutUserCodes(ctx);
    const page = await open(ctx, '/');
    await page.locator('#login[data-state="pending"]').waitFor();
    expect(await page.isVisible('#qr svg')).toBe(true);
    expect(await page.isVisible('#user-code-line')).toBe(false);
    expect(await page.textContent('#status')).toBe(es.login.scan);
  });
});

describe('focus rings have at least 3:1 contrast against the card, light and dark', () => {
  test.each(['light', 'dark'] as const)('%s', async (colorScheme) => {
    const ctx = await desktopContext(browser, { colorScheme });
    const desktop = await open(ctx, '/');
    await desktop.locator('#login[data-state="pending"]').waitFor();
    const ref = await loginRef(desktop);
    const phone = await open(await phoneContext(browser, {}, { colorScheme }), `/m/login?id=${ref.id}&code=${ref.code}`);
    await phone.locator('#users button').first().waitFor();
    for (const page of [desktop, phone]) {
      await page.keyboard.press('Tab'); // the first link or button, focused from the keyboard
      const ring = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        const style = getComputedStyle(el);
        return {
          tag: el.tagName,
          style: style.outlineStyle,
          width: parseFloat(style.outlineWidth),
          color: style.outlineColor,
          card: getComputedStyle(document.querySelector('.card') as Element).backgroundColor,
          page: getComputedStyle(document.body).backgroundColor === 'rgba(0, 0, 0, 0)'
            ? getComputedStyle(document.documentElement).backgroundColor
            : getComputedStyle(document.body).backgroundColor,
        };
      });
      expect(['A', 'BUTTON']).toContain(ring.tag);
      expect(ring.style).toBe('solid');
      expect(ring.width).toBeGreaterThanOrEqual(2);
      expect(contrastRatio(ring.color, ring.card)).toBeGreaterThanOrEqual(3);
      expect(contrastRatio(ring.color, ring.page)).toBeGreaterThanOrEqual(3);
    }
    // The schemes differ: dark mode is really on.
    const background = await desktop.evaluate(() => getComputedStyle(document.querySelector('.card') as Element).backgroundColor);
    expect(background === 'rgb(255, 255, 255)').toBe(colorScheme === 'light');
  });
});
