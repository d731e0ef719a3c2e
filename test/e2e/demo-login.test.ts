/**
 * The demo pages in a real Chromium, the way a person uses them: a desktop
 * window shows the QR, the test reads it from the pixels, a phone window
 * opens what it encodes and confirms or cancels.
 */
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { createMobileClient, parseLoginQr } from '../../client/mobile';
import { appToken, call } from '../support/client';
import {
  blockWebSockets, desktopContext, launchChromium, phoneContext, readQr, screenshot, trackedPages, waitForText,
} from '../support/chromium';
import { startNodes, stopNodes, type NodeProcess } from '../support/node-process';
import { startTestServer, type TestServer } from '../support/server';

let browser: Browser;
/** Every page of the running test, closed after it; an uncaught error or CSP refusal on any fails it. */
const open = trackedPages();
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

/** The desktop login page, once it shows a QR code. */
async function desktopPage(server: { url: string }, options: { blockWebSockets?: boolean } = {}): Promise<Page> {
  const ctx = await desktopContext(browser);
  if (options.blockWebSockets) await blockWebSockets(ctx);
  const page = await open(Promise.resolve(ctx), `${server.url}/`);
  await waitForText(page, '#status', 'Scan the code with your phone');
  return page;
}

/** The phone page opened from the QR, signed in as a demo user and showing the request. */
async function phoneScans(qrContent: string, user: string, headers: Record<string, string> = {}): Promise<Page> {
  const phone = await open(phoneContext(browser, headers), qrContent);
  await phone.locator(`#users button[data-user="${user}"]`).waitFor();
  return phone;
}

const tokenOf = (page: Page) => page.evaluate(() => sessionStorage.getItem('qrlogin-demo-token'));

describe('the demo login in Chromium', () => {
  let server: TestServer;
  beforeAll(async () => {
    // TRUST_PROXY lets the phone window claim another network with X-Forwarded-For.
    server = await startTestServer({ env: { DEMO: '1', DEMO_FORCE: '1', TRUST_PROXY: '1' } });
  });
  afterAll(() => server.close());

  test('scan the QR from the screen, confirm on the phone: "Welcome, Ana", and the token works on /api/me', async () => {
    const desktop = await desktopPage(server);
    const qrLabel = await desktop.locator('#qr svg').getAttribute('aria-label');
    expect(qrLabel).toMatch(/QR code to log in/);
    await waitForText(desktop, '#channel', 'Live over WebSocket');
    await screenshot(desktop, 'login-1-desktop-qr');
    const qrContent = await readQr(desktop);
    expect(qrContent).toMatch(new RegExp(`^${server.url}/m/login\\?id=[0-9a-f-]{36}&code=[A-Za-z0-9_-]+$`));

    const phone = await phoneScans(qrContent, 'ana');
    await screenshot(phone, 'login-2-phone-pick-user');
    await phone.click('#users button[data-user="ana"]');
    await phone.locator('#request').waitFor();
    expect(await phone.textContent('#req-browser')).toBe('Chrome 131');
    expect(await phone.textContent('#req-os')).toBe('Linux');
    expect(await phone.textContent('#req-ip')).toBe('127.0.0.1');
    expect(await phone.isVisible('#warning')).toBe(false); // same network

    await waitForText(desktop, '#status', 'Scanned by Ana — confirm on your phone');
    expect(await desktop.getAttribute('#avatar', 'src')).toBe(`${server.url}/assets/avatar-ana.svg`);
    // The avatar is served by the demo (no external network) and loads.
    await desktop.waitForFunction(() => (document.getElementById('avatar') as HTMLImageElement).naturalWidth > 0);
    await screenshot(desktop, 'login-3-desktop-scanned');
    await screenshot(phone, 'login-3-phone-request');

    await phone.click('#confirm');
    await waitForText(phone, '#result', 'Done — you are logged in on Chrome 131.');
    await waitForText(desktop, '#status', 'Welcome, Ana');
    await screenshot(desktop, 'login-4-desktop-welcome');
    await screenshot(phone, 'login-4-phone-done');

    const token = await tokenOf(desktop);
    expect(token).toBeTruthy();
    const me = await call(server.url, 'GET', '/api/me', { headers: { authorization: `Bearer ${token}` } });
    expect(me).toMatchObject({ status: 200, body: { user: { id: 'ana', displayName: 'Ana' } } });
  });

  test('with WebSockets blocked the page falls back to long polling and still logs in', async () => {
    const desktop = await desktopPage(server, { blockWebSockets: true });
    await waitForText(desktop, '#channel', 'Live over HTTP long polling');
    await screenshot(desktop, 'long-poll-1-desktop-qr');
    const phone = await phoneScans(await readQr(desktop), 'ben');
    await phone.click('#users button[data-user="ben"]');
    await waitForText(desktop, '#status', 'Scanned by Ben — confirm on your phone');
    await phone.click('#confirm');
    await waitForText(desktop, '#status', 'Welcome, Ben');
    await screenshot(desktop, 'long-poll-2-desktop-welcome');
    expect(await desktop.evaluate(() => (window as unknown as { WebSocket: { name: string } }).WebSocket.name)).toBe('BlockedWebSocket');
    const me = await call(server.url, 'GET', '/api/me', { headers: { authorization: `Bearer ${await tokenOf(desktop)}` } });
    expect(me).toMatchObject({ status: 200, body: { user: { id: 'ben' } } });
  });

  test('cancel on the phone (from another network, with the warning): the desktop shows "Cancelled"', async () => {
    const desktop = await desktopPage(server);
    const phone = await phoneScans(await readQr(desktop), 'chloe', { 'x-forwarded-for': '203.0.113.9' });
    await phone.click('#users button[data-user="chloe"]');
    await phone.locator('#warning').waitFor({ state: 'visible' });
    await screenshot(phone, 'cancel-1-phone-request-warning');
    await waitForText(desktop, '#status', 'Scanned by Chloé — confirm on your phone');
    await phone.click('#cancel');
    await waitForText(phone, '#result', 'Cancelled — the computer was not logged in.');
    await waitForText(desktop, '#status', 'Cancelled');
    expect(await desktop.isVisible('#qr')).toBe(false);
    await screenshot(desktop, 'cancel-2-desktop-cancelled');
    await screenshot(phone, 'cancel-2-phone-cancelled');

    await desktop.click('#again'); // a new code on request
    await waitForText(desktop, '#status', 'Scan the code with your phone');
    expect(await readQr(desktop)).not.toBe(phone.url());
  });

  test('the SDK bundle served at /assets/qrlogin-browser.js works as an ES module in the page', async () => {
    const page = await open(desktopContext(browser), `${server.url}/m/login`);
    // A string, not a function: the test's transpiler would turn `import()` into `require()`.
    const result = await page.evaluate(`(async (base) => {
      const sdk = await import(base + '/assets/qrlogin-browser.js');
      return new Promise((resolve) => {
        const login = sdk.createQrLogin({
          baseUrl: base,
          onQr: (qr) => {
            const svg = sdk.renderQr(document.body, qr);
            login.stop().then(() => resolve(svg.getAttribute('role') + ' ' + qr.content.startsWith(base + '/m/login?id=')));
          },
        });
      });
    })(${JSON.stringify(server.url)})`);
    expect(result).toBe('img true');
  });
});

describe('the demo login in Chromium: expiry', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Long enough to read the first code from the screen on a busy machine, short enough to wait for.
    server = await startTestServer({ env: { DEMO: '1', DEMO_FORCE: '1', QR_TTL_SECONDS: '5' } });
  });
  afterAll(() => server.close());

  test('an expired QR is replaced by a new one, and the old one tells the phone it expired', async () => {
    const desktop = await desktopPage(server);
    const first = await readQr(desktop);
    await screenshot(desktop, 'expiry-1-desktop-first-code');
    await waitForText(desktop, '#status', 'Expired — new code');
    const second = await readQr(desktop);
    expect(new URL(second).searchParams.get('id')).not.toBe(new URL(first).searchParams.get('id'));
    await screenshot(desktop, 'expiry-2-desktop-new-code');

    const phone = await phoneScans(first, 'ana');
    await phone.click('#users button[data-user="ana"]');
    await waitForText(phone, '#result', 'This code expired. The login page shows a new one: scan that.');
    await screenshot(phone, 'expiry-3-phone-old-code');
  });
});

describe('the demo login in Chromium across two nodes (separate processes, one Redis)', () => {
  let nodes: NodeProcess[] = [];
  beforeAll(async () => {
    const env = { REDIS_URL: process.env.TEST_REDIS_URL as string, REDIS_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}:` };
    nodes = await startNodes(2, env);
  });
  afterAll(() => stopNodes(nodes));

  test('the page on node A hears a phone that scans and confirms on node B', async () => {
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    const desktop = await desktopPage(a);
    await waitForText(desktop, '#channel', 'Live over WebSocket');
    const ref = parseLoginQr(await readQr(desktop));
    if (!ref) throw new Error('the page shows no login QR');
    // Each node here has its own origin (no load balancer): the phone talks to B by id and code.
    const phone = createMobileClient({ baseUrl: b.url, token: appToken('ana', { name: 'Ana' }) });
    await phone.scan({ id: ref.id, code: ref.code });
    await waitForText(desktop, '#status', 'Scanned by Ana — confirm on your phone');
    await phone.confirm(ref);
    await waitForText(desktop, '#status', 'Welcome, Ana');
    await screenshot(desktop, 'two-nodes-desktop-welcome');
    const me = await call(b.url, 'GET', '/api/me', { headers: { authorization: `Bearer ${await tokenOf(desktop)}` } });
    expect(me).toMatchObject({ status: 200, body: { user: { id: 'ana' } } });
  });
});
