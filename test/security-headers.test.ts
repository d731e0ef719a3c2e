import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { call, connectBrowser, createLogin } from './support/client';
import { startTestServer, type TestServer } from './support/server';

const ALLOWED = 'https://shop.example';

/** A stand-in for the built demo pages, so the page headers are checked whatever the demo looks like. */
function fakePublicDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'qrlogin-pages-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>login</title><script src="/assets/login-page.js"></script>');
  writeFileSync(join(dir, 'phone.html'), '<!doctype html><title>phone</title>');
  writeFileSync(join(dir, 'assets', 'login-page.js'), 'console.log(1)');
  return dir;
}

describe('safe-by-default HTTP', () => {
  let server: TestServer;
  let socket: Socket | undefined;
  beforeAll(async () => {
    server = await startTestServer({ publicDir: fakePublicDir(), env: { CORS_ORIGINS: `${ALLOWED}, https://other.example/` } });
  });
  afterEach(() => socket?.close());
  afterAll(() => server.close());

  // With the demo off (a mobile key is set), /m/login is the production phone page.
  test.each(['/', '/m/login?id=6f1c2a8e-1b2c-4d3e-8f4a-5b6c7d8e9f00&code=y'])('page %s gets a CSP that allows only this origin, no framing, nosniff, no referrer', async (path) => {
    const res = await fetch(server.url + path);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('*');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  test('API answers, errors and QR images get a CSP that runs nothing, and nosniff', async () => {
    const login = await createLogin(server.url);
    const responses = [
      await call(server.url, 'GET', `/api/login-sessions/${login.id}/qr.svg`, { headers: { 'x-login-secret': login.secret } }),
      await call(server.url, 'GET', '/api/nowhere'),
      await call(server.url, 'POST', '/api/login-sessions', { body: '{', headers: { 'content-type': 'application/json' } }),
      await call(server.url, 'GET', '/assets/login-page.js'),
    ];
    for (const res of responses) {
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  test('an allowed origin gets CORS answers (preflight with the secret header, then the call)', async () => {
    const preflight = await fetch(`${server.url}/api/login-sessions`, {
      method: 'OPTIONS',
      headers: { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('X-Login-Secret');
    const created = await call(server.url, 'POST', '/api/login-sessions', { headers: { origin: 'https://other.example' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('access-control-allow-origin')).toBe('https://other.example');
    expect(created.headers.get('vary')).toContain('Origin');
  });

  test('any other origin gets no CORS headers, so browsers refuse to let it read answers', async () => {
    for (const origin of ['https://evil.example', 'https://shop.example.evil.example', 'null']) {
      const preflight = await fetch(`${server.url}/api/login-sessions`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      const res = await call(server.url, 'POST', '/api/login-sessions', { headers: { origin } });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  test('the socket.io long-polling handshake answers CORS for the allowed origin only', async () => {
    const allowed = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: ALLOWED } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    const other = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const login = await createLogin(server.url);
    socket = await connectBrowser(server.url, { id: login.id, secret: login.secret }, ['polling'], { extraHeaders: { origin: ALLOWED } });
    expect(socket.connected).toBe(true);
  });
});

describe('CORS_ORIGINS unset', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: 'memory' });
  });
  afterAll(() => server.close());

  test('no origin gets CORS headers', async () => {
    const res = await call(server.url, 'POST', '/api/login-sessions', { headers: { origin: 'https://shop.example' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
