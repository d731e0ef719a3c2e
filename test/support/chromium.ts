import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { decodeQrPng } from '../../client/phone/decode';

/** Debian's Chromium (installed by .ci/run when absent); never a downloaded browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts', 'e2e');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'],
  });
}

export const DESKTOP_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const PHONE_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

/** A desktop window; `options` add to it (`locale` sets Accept-Language, `colorScheme` light or dark). */
export const desktopContext = (browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> =>
  browser.newContext({ viewport: { width: 1024, height: 720 }, userAgent: DESKTOP_UA, ...options });

export const phoneContext = (browser: Browser, headers: Record<string, string> = {}, options: BrowserContextOptions = {}): Promise<BrowserContext> =>
  browser.newContext({ viewport: { width: 390, height: 740 }, userAgent: PHONE_UA, isMobile: true, hasTouch: true, extraHTTPHeaders: headers, ...options });

/** Makes every WebSocket of the context fail the way a blocking proxy does: it errors and closes right away. */
export async function blockWebSockets(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    class BlockedWebSocket extends EventTarget {
      static readonly CONNECTING = 0;
      static readonly OPEN = 1;
      static readonly CLOSING = 2;
      static readonly CLOSED = 3;
      readyState = 0;
      binaryType = 'blob';
      onopen: ((e: Event) => void) | null = null;
      onerror: ((e: Event) => void) | null = null;
      onclose: ((e: Event) => void) | null = null;
      onmessage: ((e: Event) => void) | null = null;
      constructor(readonly url: string) {
        super();
        setTimeout(() => {
          this.readyState = 3;
          const error = new Event('error');
          this.onerror?.(error);
          this.dispatchEvent(error);
          const close = new CloseEvent('close', { code: 1006 });
          this.onclose?.(close);
          this.dispatchEvent(close);
        }, 10);
      }
      send(): void {
        throw new Error('WebSocket is blocked');
      }
      close(): void {}
    }
    Object.defineProperty(window, 'WebSocket', { value: BlockedWebSocket, configurable: true, writable: true });
  });
}

/** Saves a screenshot under test-artifacts/e2e for a person to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

/** Reads the QR the page shows the way a phone would: from its pixels. */
export async function readQr(page: Page, selector = '#qr svg'): Promise<string> {
  const png = await page.locator(selector).screenshot();
  const content = decodeQrPng(png);
  if (!content) throw new Error('the QR code on the page could not be decoded');
  return content;
}

/** Waits until the element's text is exactly `text`. */
export async function waitForText(page: Page, selector: string, text: string, timeoutMs = 15_000): Promise<void> {
  await page.waitForFunction(
    ([sel, expected]) => document.querySelector(sel as string)?.textContent?.trim() === expected,
    [selector, text],
    { timeout: timeoutMs },
  );
}

/**
 * Collects what would show a broken page: uncaught errors and Content-Security-Policy
 * refusals (the pages must run under the server's strict CSP: no inline script or style).
 */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) problems.push(`csp: ${msg.text()}`);
  });
  return problems;
}

/**
 * Pages a test opens, closed after each test, which also fails if any of
 * them had an uncaught error or CSP refusal. Call at the top of a file.
 */
export function trackedPages(): (context: BrowserContext | Promise<BrowserContext>, url: string) => Promise<Page> {
  const contexts: BrowserContext[] = [];
  const problems: string[][] = [];
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    expect(problems.splice(0).flat()).toEqual([]);
  });
  return async (context, url) => {
    const ctx = await context;
    contexts.push(ctx);
    const page = await ctx.newPage();
    problems.push(watchProblems(page));
    await page.goto(url);
    return page;
  };
}
