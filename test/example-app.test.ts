import { randomBytes } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { startShopApp, type ShopApp } from '../examples/shop-app';
import { underBasePath, withBasePath } from '../server/http/base-path';
import { bearer, call, connectBrowser, createLogin, waitForState } from './support/client';
import { scrapeMetrics } from './support/metrics';
import { TEST_METRICS_TOKEN } from './support/server';

describe('the example shop app mounting qrlogin under /auth (library mode)', () => {
  let shop: ShopApp;
  let socket: Socket | undefined;
  beforeAll(async () => {
    shop = await startShopApp(0, {
      REDIS_URL: process.env.TEST_REDIS_URL,
      REDIS_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}:`,
      LOG_LEVEL: 'silent',
      METRICS_TOKEN: TEST_METRICS_TOKEN,
    });
  });
  afterAll(async () => {
    socket?.close();
    await shop.close();
  });

  test('a full login through the library, with the shop hooks, ends in a shop session', async () => {
    const auth = `${shop.url}/auth`;
    const login = await createLogin(auth);
    expect(login.qr.content).toBe(`${shop.url}/auth/m/login?id=${login.id}&code=${login.code}`);
    socket = await connectBrowser(auth, { id: login.id, secret: login.secret });
    await waitForState(socket, (s) => s.state === 'pending');

    const phone = shop.signInOnPhone('u-ana');
    const scan = await call(auth, 'POST', '/api/mobile/scan', { body: { qr: login.qr.content }, headers: bearer(phone) });
    expect(scan).toMatchObject({ status: 200, body: { state: 'scanned' } });
    // describeUser: the browser sees the shop's name and avatar for the user.
    const scanned = await waitForState(socket, (s) => s.state === 'scanned');
    expect(scanned.user).toEqual({ id: 'u-ana', displayName: 'Ana Lima', avatarUrl: 'https://shop.example/avatars/ana.png' });

    expect((await call(auth, 'POST', '/api/mobile/confirm', { body: { id: login.id, code: login.code }, headers: bearer(phone) })).status).toBe(200);
    await waitForState(socket, (s) => s.state === 'confirmed');
    const redeemed = await socket.timeout(5000).emitWithAck('redeem');
    expect(redeemed).toMatchObject({ tokenType: 'Bearer', expiresIn: 8 * 3600, user: { id: 'u-ana', displayName: 'Ana Lima' } });

    // issueWebToken: the token is a shop session the shop's own route accepts.
    expect(await call(shop.url, 'GET', '/account', { headers: bearer(redeemed.token) })).toMatchObject({
      status: 200,
      body: { user: { id: 'u-ana', name: 'Ana Lima' } },
    });
    expect((await call(shop.url, 'GET', '/account', { headers: bearer('not-a-session') })).status).toBe(401);
    // Metrics and health follow the prefix and count what happened under it.
    const metrics = (await scrapeMetrics(auth)).body as string;
    expect(metrics).toMatch(/^qrlogin_sessions_created_total 1$/m);
    expect(metrics).toMatch(/^qrlogin_redeems_total 1$/m);
  });

  test('verifyAppToken: a token the shop did not issue is refused with the protocol error', async () => {
    const login = await createLogin(`${shop.url}/auth`);
    const res = await call(`${shop.url}/auth`, 'POST', '/api/mobile/scan', { body: { id: login.id, code: login.code }, headers: bearer('forged') });
    expect(res).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
  });

  test('a QR of the unprefixed path is not ours', async () => {
    const login = await createLogin(`${shop.url}/auth`);
    const qr = login.qr.content.replace('/auth/m/login', '/m/login');
    const res = await call(`${shop.url}/auth`, 'POST', '/api/mobile/scan', { body: { qr }, headers: bearer(shop.signInOnPhone('u-bo')) });
    expect(res).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });

  test('qrlogin answers only under /auth; the shop keeps its own pages and 404s', async () => {
    expect(await call(shop.url, 'GET', '/')).toMatchObject({ status: 200, body: expect.stringContaining('<h1>Shop</h1>') });
    const missing = await call(shop.url, 'GET', '/api/login-sessions');
    expect(missing.status).toBe(404);
    expect(missing.body).toBe('Not Found'); // Koa's own 404, not qrlogin's JSON
    expect(await call(shop.url, 'GET', '/auth/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await call(shop.url, 'GET', '/auth/nothing-here')).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect((await call(shop.url, 'GET', '/authx/healthz')).status).toBe(404);
    // The Socket.IO endpoint follows the prefix too.
    await expect(connectBrowser(shop.url, { id: 'x', secret: 'y' })).rejects.toThrow();
  });
});

describe('base path helpers', () => {
  test('demo pages get prefixed links and a meta tag naming the base path', () => {
    const html = '<html><head><title>x</title><script type="module" src="/assets/login-page.js"></script></head><a href="//cdn.example/x">';
    expect(withBasePath(html, '/auth')).toBe(
      '<html><head>\n    <meta name="qrlogin-base-path" content="/auth"><title>x</title><script type="module" src="/auth/assets/login-page.js"></script></head><a href="//cdn.example/x">',
    );
    expect(withBasePath('<head><link href="/assets/a.css">', '')).toBe('<head>\n    <meta name="qrlogin-base-path" content=""><link href="/assets/a.css">');
  });

  test('the mounted middleware sees paths relative to the base; the host sees them whole', async () => {
    const seen: string[] = [];
    const mounted = underBasePath('/auth', async (ctx, next) => {
      seen.push(`inner ${ctx.path}`);
      await next();
      seen.push(`inner after ${ctx.path}`);
    });
    for (const path of ['/auth', '/auth/api/x', '/other']) {
      const ctx = { path } as any;
      await mounted(ctx, async () => void seen.push(`host ${ctx.path}`));
      expect(ctx.path).toBe(path);
    }
    expect(seen).toEqual([
      'inner /', 'host /auth', 'inner after /',
      'inner /api/x', 'host /auth/api/x', 'inner after /api/x',
      'host /other',
    ]);
  });
});
