/**
 * The HTTP transitions one by one (PROTOCOL.md "Browser API" and "Mobile
 * API"): DELETE, scan idempotency, confirm, cancel, and the `request` the
 * phone is shown, including `sameNetwork`.
 */
import {
  abandonHttp,
  appToken,
  bearer,
  call,
  confirmedLogin,
  createLogin,
  mobile,
  readSession,
  redeemHttp,
  scannedLogin,
} from './support/client';
import { expectError } from './support/expect';
import { startTestServer, type StoreKind, type TestServer } from './support/server';

describe.each<StoreKind>(['redis', 'memory'])('transitions over HTTP (%s store)', (store) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store });
  });
  afterAll(() => server.close());
  const codeOf = (login: { id: string; code: string }) => ({ id: login.id, code: login.code });

  describe('create and redeem', () => {
    test('create answers 201 with the documented fields, fresh random id, code and secret each time', async () => {
      const answers = await Promise.all(Array.from({ length: 10 }, () => call(server.url, 'POST', '/api/login-sessions')));
      for (const res of answers) {
        expect(res.status).toBe(201);
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(res.body).toEqual({
          id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
          secret: expect.stringMatching(/^[A-Za-z0-9_-]{43,}$/),
          state: 'pending',
          version: 1,
          expiresAt: expect.any(String),
          expiresIn: 60,
          pollIntervalMs: 1000,
          qr: { content: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/m\/login\?id=[0-9a-f-]{36}&code=[A-Za-z0-9_-]{22,}$/), svg: expect.stringMatching(/^<svg/) },
          userCode: expect.stringMatching(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/),
        });
        expect(Date.parse(res.body.expiresAt) - Date.now()).toBeGreaterThan(50_000);
      }
      for (const field of ['id', 'secret', 'userCode'] as const) expect(new Set(answers.map((r) => r.body[field])).size).toBe(answers.length);
      expect(new Set(answers.map((r) => new URL(r.body.qr.content).searchParams.get('code'))).size).toBe(answers.length);
    });

    test('redeem answers 200 {token, tokenType, expiresIn, user}, not cached; the token carries the documented claims', async () => {
      const login = await confirmedLogin(server.url, 'ana');
      const res = await redeemHttp(server.url, login);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body).toEqual({ token: expect.any(String), tokenType: 'Bearer', expiresIn: 3600, user: { id: 'ana', displayName: 'ANA' }, sid: login.id });
      const claims = JSON.parse(Buffer.from(res.body.token.split('.')[1], 'base64url').toString());
      expect(claims).toMatchObject({ sub: 'ana', sid: login.id, amr: ['qr'], jti: expect.any(String) });
      expect(claims.exp - claims.iat).toBe(3600);
      const me = await call(server.url, 'GET', '/api/me', { headers: bearer(res.body.token) });
      expect(me).toMatchObject({ status: 200, body: { user: { id: 'ana', displayName: 'ANA' } } });
      expect(Object.keys(me.body.user).sort()).toEqual(['displayName', 'id']);
    });
  });

  describe('DELETE (the browser gives up)', () => {
    test('pending → 204, cancelled for the phone; repeated → 204 again, nothing more changes', async () => {
      const login = await createLogin(server.url);
      const res = await abandonHttp(server.url, login);
      expect(res.status).toBe(204);
      expect(res.body).toBeUndefined();
      expect(await readSession(server.url, login)).toMatchObject({ state: 'cancelled', version: 2 });
      expect((await abandonHttp(server.url, login)).status).toBe(204);
      expect(await readSession(server.url, login)).toMatchObject({ state: 'cancelled', version: 2 });
      expectError(await mobile(server.url, 'scan', 'ana', codeOf(login)), 409, 'invalid_state');
    });

    test('scanned → 204; the phone can then neither confirm nor cancel', async () => {
      const login = await scannedLogin(server.url, 'ana');
      expect((await abandonHttp(server.url, login)).status).toBe(204);
      expect(await readSession(server.url, login)).toMatchObject({ state: 'cancelled', version: 3, user: { id: 'ana' } });
      expectError(await mobile(server.url, 'confirm', 'ana', codeOf(login)), 409, 'invalid_state');
      expectError(await mobile(server.url, 'cancel', 'ana', codeOf(login)), 409, 'invalid_state');
    });

    test('confirmed or redeemed → 409 invalid_state', async () => {
      const login = await confirmedLogin(server.url, 'ana');
      expectError(await abandonHttp(server.url, login), 409, 'invalid_state');
      expect((await redeemHttp(server.url, login)).status).toBe(200);
      expectError(await abandonHttp(server.url, login), 409, 'invalid_state');
      expect(await readSession(server.url, login)).toMatchObject({ state: 'redeemed', version: 4 });
    });
  });

  describe('scan', () => {
    test('by qr content or by id + code', async () => {
      const byQr = await createLogin(server.url);
      expect((await mobile(server.url, 'scan', 'ana', { qr: byQr.qr.content })).body).toMatchObject({ id: byQr.id, state: 'scanned', version: 2 });
      const byId = await createLogin(server.url);
      expect((await mobile(server.url, 'scan', 'ana', codeOf(byId))).body).toMatchObject({ id: byId.id, state: 'scanned', version: 2 });
    });

    test('a repeat by the same user is 200 and changes nothing; another user gets 409 already_scanned', async () => {
      const login = await createLogin(server.url);
      const first = await mobile(server.url, 'scan', 'ana', codeOf(login));
      const again = await mobile(server.url, 'scan', 'ana', { qr: login.qr.content });
      expect(first.status).toBe(200);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      expectError(await mobile(server.url, 'scan', 'ben', codeOf(login)), 409, 'already_scanned');
      expect(await readSession(server.url, login)).toMatchObject({ state: 'scanned', version: 2, user: { id: 'ana' } });
    });

    test('the answer has no user, no code and no secret', async () => {
      const login = await createLogin(server.url);
      const res = await mobile(server.url, 'scan', 'ana', codeOf(login));
      expect(Object.keys(res.body).sort()).toEqual(['expiresAt', 'id', 'request', 'state', 'version']);
      expect(JSON.stringify(res.body)).not.toContain(login.code);
      expect(JSON.stringify(res.body)).not.toContain(login.secret);
    });
  });

  describe('confirm', () => {
    test('by the user who scanned → 200 {id, state, version}; a repeat → 409 invalid_state', async () => {
      const login = await scannedLogin(server.url, 'ana');
      const res = await mobile(server.url, 'confirm', 'ana', codeOf(login));
      expect(res).toMatchObject({ status: 200, body: { id: login.id, state: 'confirmed', version: 3 } });
      expect(Object.keys(res.body).sort()).toEqual(['id', 'state', 'version']);
      expectError(await mobile(server.url, 'confirm', 'ana', codeOf(login)), 409, 'invalid_state');
      expect(await readSession(server.url, login)).toMatchObject({ state: 'confirmed', version: 3 });
    });
  });

  describe('cancel (the phone declines)', () => {
    test('pending: anyone holding the code may cancel → 200 {id, state, version}', async () => {
      const login = await createLogin(server.url);
      const res = await mobile(server.url, 'cancel', 'ben', codeOf(login));
      expect(res).toMatchObject({ status: 200, body: { id: login.id, state: 'cancelled', version: 2 } });
      expect(Object.keys(res.body).sort()).toEqual(['id', 'state', 'version']);
    });

    test('scanned: only the user who scanned (another → 403 forbidden); then the browser sees cancelled', async () => {
      const login = await scannedLogin(server.url, 'ana');
      expectError(await mobile(server.url, 'cancel', 'ben', codeOf(login)), 403, 'forbidden');
      expect((await mobile(server.url, 'cancel', 'ana', codeOf(login))).body).toEqual({ id: login.id, state: 'cancelled', version: 3 });
      expectError(await redeemHttp(server.url, login), 409, 'access_denied');
      expect((await abandonHttp(server.url, login)).status).toBe(204);
    });

    test('a repeat cancel, or a cancel after confirm → 409 invalid_state', async () => {
      const cancelled = await createLogin(server.url);
      await mobile(server.url, 'cancel', 'ana', codeOf(cancelled));
      expectError(await mobile(server.url, 'cancel', 'ana', codeOf(cancelled)), 409, 'invalid_state');
      const confirmed = await confirmedLogin(server.url, 'ana');
      expectError(await mobile(server.url, 'cancel', 'ana', codeOf(confirmed)), 409, 'invalid_state');
      expect(await readSession(server.url, confirmed)).toMatchObject({ state: 'confirmed', version: 3 });
    });
  });
});

describe('what the phone is shown of the browser (TRUST_PROXY=1, X-Forwarded-For)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { TRUST_PROXY: '1' } });
  });
  afterAll(() => server.close());

  const CHROME_ON_WINDOWS =
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

  const scanFrom = async (browserIp: string, phoneIp: string) => {
    const login = await createLogin(server.url, { 'x-forwarded-for': browserIp, 'user-agent': CHROME_ON_WINDOWS });
    return call(server.url, 'POST', '/api/mobile/scan', {
      body: { id: login.id, code: login.code },
      headers: { ...bearer(appToken('ana')), 'x-forwarded-for': phoneIp },
    });
  };

  test('ip, user agent, parsed browser and OS, creation time', async () => {
    const before = Date.now();
    const res = await scanFrom('203.0.113.9', '198.51.100.7');
    expect(res.body.request).toEqual({
      ip: '203.0.113.9',
      userAgent: CHROME_ON_WINDOWS,
      browser: 'Chrome 131',
      os: 'Windows',
      createdAt: expect.any(String),
      sameNetwork: false,
    });
    expect(Date.parse(res.body.request.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(res.body.request.createdAt)).toBeLessThanOrEqual(Date.now());
  });

  test.each([
    ['203.0.113.9', '203.0.113.200', true],
    ['203.0.113.9', '203.0.114.9', false],
    ['10.1.2.3', '10.1.3.3', false],
    ['2001:db8:1:2::1', '2001:db8:1:2:ffff::9', true],
    ['2001:db8:1:2::1', '2001:db8:1:3::1', false],
    ['203.0.113.9', '::ffff:203.0.113.50', true],
    ['203.0.113.9', '2001:db8::1', false],
  ])('browser %s, phone %s → sameNetwork %s', async (browserIp, phoneIp, same) => {
    const res = await scanFrom(browserIp, phoneIp);
    expect(res.status).toBe(200);
    expect(res.body.request.sameNetwork).toBe(same);
  });

  test('only the hop our proxy appended counts: addresses a client puts in front cannot fake the IP shown', async () => {
    // An attacker's browser claiming the victim's network must not make sameNetwork true (TRUST_PROXY_HOPS=1).
    const res = await scanFrom('203.0.113.10, 198.51.100.66', '203.0.113.10');
    expect(res.body.request).toMatchObject({ ip: '198.51.100.66', sameNetwork: false });
  });
});

describe('without TRUST_PROXY', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  test('X-Forwarded-For is ignored: neither side can claim another address', async () => {
    const login = await createLogin(server.url, { 'x-forwarded-for': '203.0.113.9' });
    const res = await call(server.url, 'POST', '/api/mobile/scan', {
      body: { id: login.id, code: login.code },
      headers: { ...bearer(appToken('ana')), 'x-forwarded-for': '198.51.100.7' },
    });
    expect(res.body.request).toMatchObject({ ip: '127.0.0.1', sameNetwork: true });
  });
});
