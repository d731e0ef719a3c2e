/**
 * Linked devices in a real Chromium, as a person uses the demo: log in on
 * the desktop page by scanning its QR with the phone page, then sign that
 * browser out from the phone page's device list: the desktop page says so at
 * once. And the desktop page's own "Sign out".
 */
import type { Browser, Page } from 'playwright-core';
import { DEMO_TEXT } from '../../client/demo/i18n';
import { desktopContext, launchChromium, phoneContext, readQr, screenshot, trackedPages, waitForText } from '../support/chromium';
import { me } from '../support/session-socket';
import { startTestServer, type TestServer } from '../support/server';

const text = DEMO_TEXT.en;
let browser: Browser;
let server: TestServer;
const open = trackedPages();

beforeAll(async () => {
  browser = await launchChromium();
  server = await startTestServer({ env: { DEMO: '1', DEMO_FORCE: '1' } });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The desktop page logged in as `user` through the phone page: both pages, and the desktop's token. */
async function logIn(user: string): Promise<{ desktop: Page; phone: Page; token: string }> {
  const desktop = await open(desktopContext(browser), `${server.url}/`);
  await waitForText(desktop, '#status', text.login.scan);
  const phone = await open(phoneContext(browser), await readQr(desktop));
  await phone.click(`#users button[data-user="${user}"]`);
  await phone.click('#confirm');
  await waitForText(desktop, '#status', text.login.welcome(user === 'ana' ? 'Ana' : 'Ben'));
  const token = (await desktop.evaluate(() => sessionStorage.getItem('qrlogin-demo-token'))) as string;
  return { desktop, phone, token };
}

describe('linked devices in Chromium', () => {
  test('log in, sign out from the phone page: the desktop page shows "Signed out from your phone"', async () => {
    const { desktop, phone, token } = await logIn('ana');
    expect(await desktop.isVisible('#signout')).toBe(true);
    // The phone lists the browser it just logged in, with a sign-out button.
    await phone.locator('#devices li[data-sid] button').first().waitFor();
    const rows = phone.locator('#devices li[data-sid]');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('Chrome 131 on Linux · 127.0.0.1');
    await screenshot(phone, 'devices-1-phone-list');

    await rows.first().locator('button').click();
    await waitForText(desktop, '#status', text.login.signedOutRevoked);
    expect(await desktop.isVisible('#signout')).toBe(false);
    expect(await desktop.isVisible('#again')).toBe(true);
    expect(await desktop.evaluate(() => sessionStorage.getItem('qrlogin-demo-token'))).toBeNull();
    await screenshot(desktop, 'devices-2-desktop-signed-out');
    await waitForText(phone, '#devices li', text.phone.noDevices);
    expect((await me(server.url, token)).status).toBe(401);

    // Logging in again works from there.
    await desktop.click('#again');
    await waitForText(desktop, '#status', text.login.scan);
  });

  test('the desktop page signs itself out; the phone page, opened without a code, no longer lists it', async () => {
    const { desktop, token } = await logIn('ben');
    await desktop.click('#signout');
    await waitForText(desktop, '#status', text.login.signedOutLogout);
    expect((await me(server.url, token)).status).toBe(401);

    const phone = await open(phoneContext(browser), `${server.url}/m/login`);
    await phone.click('#users button[data-user="ben"]');
    await waitForText(phone, '#devices li', text.phone.noDevices);
  });
});
