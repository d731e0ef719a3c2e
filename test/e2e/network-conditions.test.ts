/**
 * The login page never stalls, whatever the network does to its WebSocket:
 * in a real Chromium, behind a real TCP proxy that refuses, half-accepts,
 * ignores, cuts or keeps cutting the upgrade, the page greets the user within
 * 2 s of the phone's confirm (issue 13: the one place where a time bound is
 * the spec). Each case first waits until the page is in the position the
 * condition puts it in — long polling with the scan seen, or live on a socket
 * — so the bound measures the SDK, not the machine's start-up.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createMobileClient, parseLoginQr } from '../../client/mobile';
import { appToken } from '../support/client';
import { desktopContext, launchChromium, watchProblems } from '../support/chromium';
import { startTestServer, type TestServer } from '../support/server';
import { waitFor } from '../support/wait';
import { startWebSocketFaultProxy, type WebSocketFault, type WebSocketFaultProxy } from '../support/websocket-faults';

/** From the confirm's HTTP answer at the phone to the greeting on the page. */
const GREETING_BOUND_MS = 2000;

let browser: Browser;
let server: TestServer;
let proxy: WebSocketFaultProxy | undefined;
let context: BrowserContext | undefined;
let problems: string[] = [];

beforeAll(async () => {
  [browser, server] = await Promise.all([launchChromium(), startTestServer()]);
});
afterEach(async () => {
  await context?.close();
  await proxy?.close();
  context = proxy = undefined;
  expect(problems).toEqual([]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

interface PageLog {
  /** Wall-clock time (same clock as this process) the login card first showed the welcome. */
  greetedAt?: number;
  /** Every channel the page showed, in order. */
  channels: string[];
  /** Every state the login card showed, in order. */
  states: string[];
}

/** The login page behind the proxy, recording when it greets and which channels it used. */
async function loginPage(): Promise<{ page: Page; polls: string[] }> {
  context = await desktopContext(browser);
  await context.addInitScript(() => {
    const log: PageLog = { channels: [], states: [] };
    (window as unknown as { qrTestLog: PageLog }).qrTestLog = log;
    new MutationObserver(() => {
      const state = document.getElementById('login')?.dataset.state;
      if (state === 'welcome') log.greetedAt ??= Date.now();
      if (state && state !== log.states[log.states.length - 1]) log.states.push(state);
      const channel = document.getElementById('channel')?.dataset.channel;
      if (channel && channel !== log.channels[log.channels.length - 1]) log.channels.push(channel);
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state', 'data-channel'] });
  });
  const page = await context.newPage();
  problems = watchProblems(page);
  const polls: string[] = [];
  page.on('request', (request) => {
    if (/\/api\/login-sessions\/[^/?]+\?after=/.test(request.url())) polls.push(request.url());
  });
  await page.goto(`${proxy?.url}/`);
  await page.locator('#login[data-state="pending"]').waitFor();
  return { page, polls };
}

const pageLog = (page: Page) => page.evaluate(() => (window as unknown as { qrTestLog: PageLog }).qrTestLog);

/** How the page stands when the phone confirms, for each condition. */
type Position = 'long-polling' | 'live socket' | 'flapping';

const CONDITIONS: [string, WebSocketFault, Position][] = [
  ['socket refused (the upgrade answered 403)', { kind: 'refuse' }, 'long-polling'],
  ['upgrade accepted, then the connection closed', { kind: 'accept-then-close' }, 'long-polling'],
  ['handshake never answered', { kind: 'never-answer' }, 'long-polling'],
  ['socket dropped mid-login: the connection is cut where the confirmed push would pass', { kind: 'drop-on', text: '"confirmed"' }, 'live socket'],
  ['socket dropped before the redeem is answered: the connection is cut where the token would pass', { kind: 'drop-on', text: '"token"' }, 'live socket'],
  ['socket flapping: every connection cut 300 ms after its upgrade', { kind: 'flap', afterMs: 300 }, 'flapping'],
];

describe('the login page greets the user within 2 s of the confirm, whatever happens to its WebSocket', () => {
  test.each(CONDITIONS)('%s', async (_name, fault, position) => {
    proxy = await startWebSocketFaultProxy(Number(new URL(server.url).port), fault);
    const { page, polls } = await loginPage();
    const content = await page.getAttribute('#phone-link', 'href');
    const ref = content ? parseLoginQr(content) : null;
    if (!ref) throw new Error('the page links no login QR');
    const phone = createMobileClient({ baseUrl: server.url, token: appToken('ana', { name: 'Ana' }) });

    // The page shows its QR; the condition has struck (the browser tried its socket and the network
    // ate it), or the socket is live, or it has flapped twice. The user scans and confirms right away,
    // well inside the 20-35 s a page that waits for socket.io to give up would sit blind.
    const faulty = proxy;
    if (position === 'live socket') await page.locator('#channel[data-channel="socket"]').waitFor();
    else await waitFor(() => (position === 'flapping' ? faulty.cuts >= 2 : faulty.upgrades >= 1), 20_000);
    await phone.scan(ref);
    if (position === 'live socket') await page.locator('#login[data-state="scanned"]').waitFor();

    await phone.confirm(ref);
    const confirmedAt = Date.now();
    // Generous: a page that stalls shows up as a greeting far over the bound, not as a timeout.
    await page.locator('#login[data-state="welcome"]').waitFor({ timeout: 40_000 });
    const log = await pageLog(page);
    expect(await page.textContent('#status')).toContain('Ana');
    expect(log.greetedAt).toBeDefined();
    expect((log.greetedAt as number) - confirmedAt).toBeLessThanOrEqual(GREETING_BOUND_MS);

    // The condition really was the one named.
    if (position === 'long-polling') {
      expect(log.channels).not.toContain('socket');
      expect(polls.length).toBeGreaterThanOrEqual(1);
    }
    // The push (or the redeem's answer) never reached the page over the socket; no error was shown on the way.
    if (fault.kind === 'drop-on') expect(proxy.cuts).toBeGreaterThanOrEqual(1);
    expect(log.states).not.toContain('error');
    if (position === 'flapping') expect(proxy.cuts).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
