/**
 * The QR codes as a browser draws them: Chromium renders the SVG, jsQR reads
 * the pixels of a screenshot. The login page's own QR (drawn in the page by
 * the browser SDK from `qr.content`; a whole-page screenshot, as a phone
 * camera sees the screen), and the server's SVG with each of the eight masks,
 * so any mask choice stays scannable.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { QRCodeMaskPattern } from 'qrcode';
import { decodeQrPng } from '../../client/phone/decode';
import { qrSvg } from '../../server/qr';
import { desktopContext, launchChromium, screenshot, waitForText, watchProblems } from '../support/chromium';
import { startTestServer, type TestServer } from '../support/server';

let browser: Browser;
let context: BrowserContext;
let server: TestServer;
beforeAll(async () => {
  browser = await launchChromium();
  context = await desktopContext(browser);
  server = await startTestServer({ env: { DEMO: '1', DEMO_FORCE: '1' } });
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

test('the login page asks for no SVG, draws the QR itself as the server would, and a screenshot of the whole page decodes to qr.content', async () => {
  const page = await context.newPage();
  const problems = watchProblems(page);
  const createAnswer = page.waitForResponse((res) => res.request().method() === 'POST' && new URL(res.url()).pathname === '/api/login-sessions');
  await page.goto(`${server.url}/`);
  const answer = await createAnswer;
  expect(answer.request().postDataJSON()).toEqual({ svg: false });
  expect(answer.status()).toBe(201);
  const { qr } = (await answer.json()) as { qr: { content: string; svg?: string } };
  expect(qr).toEqual({ content: expect.stringMatching(new RegExp(`^${server.url}/m/login\\?id=[0-9a-f-]{36}&code=[A-Za-z0-9_-]{22}$`)) });

  await waitForText(page, '#status', 'Scan the code with your phone');
  expect(await page.locator('#qr svg').getAttribute('data-qr-content')).toBe(qr.content);
  // qrcode's browser build in the SDK bundle drew exactly the path the server draws.
  const serverPath = /<path stroke="#000" d="([^"]*)"/.exec(qrSvg(qr.content))?.[1];
  expect(serverPath).toMatch(/^M\d+ \d+\.5h/);
  expect(await page.locator('#qr svg path[stroke="#000"]').getAttribute('d')).toBe(serverPath);
  await screenshot(page, 'qr-scan-login-page');
  expect(decodeQrPng(await page.screenshot())).toBe(qr.content);
  expect(problems).toEqual([]);
  await page.close();
});

test.each([0, 1, 2, 3, 4, 5, 6, 7] as QRCodeMaskPattern[])('the SVG with mask %i, as Chromium draws it at 180 px, decodes', async (mask) => {
  const content = `${server.url}/m/login?id=${randomUUID()}&code=${randomBytes(16).toString('base64url')}`;
  const page: Page = await context.newPage();
  await page.setContent(`<body style="margin:0;background:#fff"><div id="qr" style="width:180px;height:180px">${qrSvg(content, mask)}</div></body>`);
  await page.locator('#qr svg').evaluate((svg) => svg.setAttribute('style', 'width:180px;height:180px;display:block'));
  expect(decodeQrPng(await page.locator('#qr').screenshot())).toBe(content);
  await page.close();
});
