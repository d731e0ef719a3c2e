/**
 * BASE_PATH in a real Chromium: the demo pages, their scripts, the API, the
 * Socket.IO path and the QR all live under /auth.
 */
import type { Browser } from 'playwright-core';
import { call } from '../support/client';
import { desktopContext, launchChromium, phoneContext, readQr, waitForText } from '../support/chromium';
import { startTestServer, type TestServer } from '../support/server';

let browser: Browser;
let server: TestServer;
beforeAll(async () => {
  browser = await launchChromium();
  server = await startTestServer({ env: { DEMO: '1', DEMO_FORCE: '1', BASE_PATH: '/auth' } });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test('the demo login works end to end under /auth, live over WebSocket', async () => {
  const desktopCtx = await desktopContext(browser);
  const phoneCtx = await phoneContext(browser);
  try {
    const desktop = await desktopCtx.newPage();
    const socketUrls: string[] = [];
    desktop.on('websocket', (ws) => socketUrls.push(ws.url()));
    await desktop.goto(`${server.url}/auth/`);
    await waitForText(desktop, '#status', 'Scan the code with your phone');
    await waitForText(desktop, '#channel', 'Live over WebSocket');
    expect(socketUrls.some((url) => url.startsWith(`${server.url.replace('http', 'ws')}/auth/socket.io/`))).toBe(true);

    const qrContent = await readQr(desktop);
    expect(qrContent).toMatch(new RegExp(`^${server.url}/auth/m/login\\?id=[0-9a-f-]{36}&code=[A-Za-z0-9_-]+$`));
    const phone = await phoneCtx.newPage();
    await phone.goto(qrContent);
    await phone.click('#users button[data-user="ana"]');
    await waitForText(desktop, '#status', 'Scanned by Ana — confirm on your phone');
    await phone.click('#confirm');
    await waitForText(desktop, '#status', 'Welcome, Ana');

    const token = await desktop.evaluate(() => sessionStorage.getItem('qrlogin-demo-token'));
    const me = await call(`${server.url}/auth`, 'GET', '/api/me', { headers: { authorization: `Bearer ${token}` } });
    expect(me).toMatchObject({ status: 200, body: { user: { id: 'ana' } } });
    // Nothing of qrlogin answers outside the prefix.
    expect((await call(server.url, 'GET', '/api/me')).body).toBe('Not Found');
  } finally {
    await desktopCtx.close();
    await phoneCtx.close();
  }
});
