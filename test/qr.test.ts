/**
 * The QR images (PROTOCOL.md "Browser API"): qr.svg and qr.png with the
 * secret; the PNG is decoded with jsQR and must hold exactly `qr.content`.
 */
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { createLogin, secretHeader, type CreatedLogin } from './support/client';
import { expectError } from './support/expect';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
let login: CreatedLogin;
beforeAll(async () => {
  server = await startTestServer();
  login = await createLogin(server.url);
});
afterAll(() => server.close());

const image = (path: string, headers: Record<string, string>) => fetch(`${server.url}/api/login-sessions/${login.id}/${path}`, { headers });

/** The text a QR image decodes to (the first QR code found). */
function decodePng(bytes: Buffer): string | undefined {
  const png = PNG.sync.read(bytes);
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
}

test('qr.content is a URL on PUBLIC_URL with the id and the code, never the secret', () => {
  const url = new URL(login.qr.content);
  expect(`${url.origin}${url.pathname}`).toBe(`${server.url}/m/login`);
  expect(Object.fromEntries(url.searchParams)).toEqual({ id: login.id, code: login.code });
  expect(login.code).toMatch(/^[A-Za-z0-9_-]{22,}$/);
  expect(login.secret).toMatch(/^[A-Za-z0-9_-]{43,}$/);
  expect(login.qr.content).not.toContain(login.secret);
});

test('qr.png is a PNG that decodes to qr.content', async () => {
  const res = await image('qr.png', secretHeader(login));
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('image/png');
  expect(res.headers.get('cache-control')).toContain('no-store');
  const bytes = Buffer.from(await res.arrayBuffer());
  expect(bytes.subarray(1, 4).toString()).toBe('PNG');
  expect(decodePng(bytes)).toBe(login.qr.content);
});

test('qr.svg is the SVG of the create answer', async () => {
  const res = await image('qr.svg', secretHeader(login));
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('image/svg+xml');
  expect(res.headers.get('cache-control')).toContain('no-store');
  const svg = await res.text();
  expect(svg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  expect(svg).toBe(login.qr.svg);
  expect(svg).not.toContain(login.secret);
});

test.each(['qr.png', 'qr.svg'])('%s without the secret, or with a wrong one, is a JSON 404', async (path) => {
  for (const headers of [{}, { 'x-login-secret': 'w'.repeat(43) }] as Record<string, string>[]) {
    const res = await image(path, headers);
    expectError({ status: res.status, body: await res.json(), headers: res.headers }, 404, 'not_found');
  }
});
