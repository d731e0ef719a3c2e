/**
 * Every row of PROTOCOL.md's error table over real HTTP against a node on the
 * run's Redis: the status, the `error` code, the `{error, message}` shape, and
 * that the refused request changed nothing (the session is re-read).
 * 429 belongs to the rate-limit tests; 410 is also covered in expiry.test.ts;
 * errors about the request itself (405, 413, 415) are in api-errors-http.test.ts,
 * 503 in api-errors-unavailable.test.ts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
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
  secretHeader,
  type CreatedLogin,
} from './support/client';
import { expectError, expectRefused, waitFor } from './support/expect';
import { endRedeliveryWindow, sameAnswer } from './support/redelivery';
import { startTestServer, type TestServer } from './support/server';

const PREFIX = `test:${randomBytes(4).toString('hex')}:`;
let server: TestServer;
let base: string;
beforeAll(async () => {
  server = await startTestServer({ store: 'redis', env: { REDIS_KEY_PREFIX: PREFIX } });
  base = server.url;
});
afterAll(() => server.close());

const anaToken = () => bearer(appToken('ana'));
const post = (path: string, body: unknown, headers: Record<string, string> = anaToken()) => call(base, 'POST', path, { body, headers });

/** Every browser endpoint of one login, called with `headers` instead of the right secret. */
const browserCalls = (login: CreatedLogin, headers: Record<string, string>) => ({
  'GET': () => call(base, 'GET', `/api/login-sessions/${login.id}`, { headers }),
  'GET long poll': () => call(base, 'GET', `/api/login-sessions/${login.id}?after=1&waitMs=20000`, { headers }),
  'POST redeem': () => call(base, 'POST', `/api/login-sessions/${login.id}/redeem`, { headers }),
  'DELETE': () => call(base, 'DELETE', `/api/login-sessions/${login.id}`, { headers }),
  'GET qr.svg': () => call(base, 'GET', `/api/login-sessions/${login.id}/qr.svg`, { headers }),
  'GET qr.png': () => call(base, 'GET', `/api/login-sessions/${login.id}/qr.png`, { headers }),
});

describe('400 invalid_request', () => {
  let login: CreatedLogin;
  beforeEach(async () => {
    login = await createLogin(base);
  });

  test.each([
    ['truncated JSON', '{"id":'],
    ['not JSON at all', 'id=1&code=2'],
    ['a JSON array', '[1,2]'],
    ['a JSON string', '"scan"'],
    ['JSON null', 'null'],
  ])('malformed body on scan: %s', async (_what, body) => {
    await expectRefused(base, login, () => post('/api/mobile/scan', body), 400, 'invalid_request');
  });

  test('malformed JSON on create, confirm, cancel and redeem', async () => {
    expectError(await call(base, 'POST', '/api/login-sessions', { body: '{oops' }), 400, 'invalid_request');
    await expectRefused(base, login, () => post('/api/mobile/confirm', '{oops'), 400, 'invalid_request');
    await expectRefused(base, login, () => post('/api/mobile/cancel', '{oops'), 400, 'invalid_request');
    await expectRefused(
      base,
      login,
      () => call(base, 'POST', `/api/login-sessions/${login.id}/redeem`, { body: '{oops', headers: secretHeader(login) }),
      400,
      'invalid_request',
    );
  });

  const qrOf = (l: CreatedLogin) => new URL(l.qr.content);
  test.each<[string, (l: CreatedLogin) => unknown]>([
    ['no body', () => undefined],
    ['an empty object', () => ({})],
    ['id without code', (l) => ({ id: l.id })],
    ['code without id', (l) => ({ code: l.code })],
    ['a numeric code', (l) => ({ id: l.id, code: 12345 })],
    ['a code with non-base64url characters', (l) => ({ id: l.id, code: 'abc+/=' })],
    ['a code over 128 characters', (l) => ({ id: l.id, code: 'a'.repeat(129) })],
    ['an empty qr', () => ({ qr: '' })],
    ['a qr that is not a URL', () => ({ qr: 'not a url' })],
    ['a qr of another origin', (l) => ({ qr: `https://evil.example${qrOf(l).pathname}${qrOf(l).search}` })],
    ['a qr on another path', (l) => ({ qr: `${qrOf(l).origin}/m/other${qrOf(l).search}` })],
    ['a qr without code', (l) => ({ qr: `${qrOf(l).origin}/m/login?id=${l.id}` })],
  ])('ill-typed or missing scan field: %s', async (_what, bodyFor) => {
    const body = bodyFor(login);
    await expectRefused(base, login, () => call(base, 'POST', '/api/mobile/scan', { body, headers: anaToken() }), 400, 'invalid_request');
  });

  test.each([
    ['uppercase', (id: string) => id.toUpperCase()],
    ['version 1 UUID', (id: string) => `${id.slice(0, 14)}1${id.slice(15)}`],
    ['wrong variant', (id: string) => `${id.slice(0, 19)}c${id.slice(20)}`],
    ['without dashes', (id: string) => id.replace(/-/g, '')],
    ['in braces', (id: string) => `{${id}}`],
    ['too short', (id: string) => id.slice(1)],
    ['not a uuid', () => 'hello'],
  ])('bad id spelling (%s) on every endpoint that takes an id', async (_what, spell) => {
    const id = spell(login.id);
    const headers = secretHeader(login);
    const calls = [
      () => call(base, 'GET', `/api/login-sessions/${encodeURIComponent(id)}`, { headers }),
      () => call(base, 'POST', `/api/login-sessions/${encodeURIComponent(id)}/redeem`, { headers }),
      () => call(base, 'DELETE', `/api/login-sessions/${encodeURIComponent(id)}`, { headers }),
      () => call(base, 'GET', `/api/login-sessions/${encodeURIComponent(id)}/qr.svg`, { headers }),
      () => call(base, 'GET', `/api/login-sessions/${encodeURIComponent(id)}/qr.png`, { headers }),
      () => post('/api/mobile/scan', { id, code: login.code }),
      () => post('/api/mobile/scan', { qr: `${base}/m/login?id=${encodeURIComponent(id)}&code=${login.code}` }),
      () => post('/api/mobile/confirm', { id, code: login.code }),
      () => post('/api/mobile/cancel', { id, code: login.code }),
    ];
    for (const request of calls) await expectRefused(base, login, request, 400, 'invalid_request');
  });

  test('unknown fields are ignored, a client-chosen id included', async () => {
    const chosen = randomUUID();
    const res = await call(base, 'POST', '/api/login-sessions', { body: { id: chosen, state: 'confirmed', version: 9 } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ state: 'pending', version: 1 });
    expect(res.body.id).not.toBe(chosen);
    const scan = await post('/api/mobile/scan', { id: login.id, code: login.code, userId: 'mallory', extra: [1] });
    expect(scan.status).toBe(200);
  });
});

describe('401 invalid_token', () => {
  let login: CreatedLogin;
  let webToken: string;
  beforeAll(async () => {
    login = await createLogin(base);
    const redeemed = await confirmedLogin(base, 'ana');
    webToken = (await redeemHttp(base, redeemed)).body.token;
  });

  test.each([
    ['no Authorization header', () => ({})],
    ['an empty bearer', () => ({ authorization: 'Bearer ' })],
    ['another scheme', () => ({ authorization: `Basic ${Buffer.from('ana:pw').toString('base64')}` })],
    ['a token that is not a JWT', () => ({ authorization: 'Bearer not-a-jwt' })],
    ['a JWT signed with another key', () => bearer(appToken('ana', {}, 'some-other-secret-0123456789abcdef'))],
    ['an expired JWT', () => bearer(appToken('ana', { exp: Math.floor(Date.now() / 1000) - 60 }))],
    ['an unsigned (alg: none) token', () => ({ authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbmEifQ.' })],
    ['a web token (issued by redeem) instead of an app token', () => bearer(webToken)],
  ])('mobile scan, confirm and cancel with %s', async (_what, headersFor) => {
    const headers: Record<string, string> = headersFor();
    for (const action of ['scan', 'confirm', 'cancel']) {
      await expectRefused(base, login, () => post(`/api/mobile/${action}`, { id: login.id, code: login.code }, headers), 401, 'invalid_token');
    }
  });

  test('the token is checked before the body: a bad token with a malformed body is still 401', async () => {
    await expectRefused(base, login, () => post('/api/mobile/scan', '{oops', {}), 401, 'invalid_token');
  });

  test.each([
    ['no header', () => ({})],
    ['a malformed token', () => ({ authorization: 'Bearer abc' })],
    ['an app token instead of a web token', () => bearer(appToken('ana'))],
    ['a web token signed with another key', () => bearer(appToken('ana', { sid: randomUUID(), amr: ['qr'] }, 'another-web-secret-0123456789abcdef'))],
  ])('GET /api/me with %s', async (_what, headersFor) => {
    const headers: Record<string, string> = headersFor();
    expectError(await call(base, 'GET', '/api/me', { headers }), 401, 'invalid_token');
  });
});

describe('403', () => {
  test('invalid_code: a wrong code on scan (by id and by qr), confirm and cancel', async () => {
    const login = await createLogin(base);
    const wrong = 'A'.repeat(22);
    await expectRefused(base, login, () => post('/api/mobile/scan', { id: login.id, code: wrong }), 403, 'invalid_code');
    await expectRefused(base, login, () => post('/api/mobile/scan', { qr: `${base}/m/login?id=${login.id}&code=${wrong}` }), 403, 'invalid_code');
    const scanned = await scannedLogin(base, 'ana');
    await expectRefused(base, scanned, () => post('/api/mobile/confirm', { id: scanned.id, code: wrong }), 403, 'invalid_code');
    await expectRefused(base, scanned, () => post('/api/mobile/cancel', { id: scanned.id, code: wrong }), 403, 'invalid_code');
  });

  test('invalid_code: the code of another session', async () => {
    const [a, b] = [await createLogin(base), await createLogin(base)];
    await expectRefused(base, a, () => post('/api/mobile/scan', { id: a.id, code: b.code }), 403, 'invalid_code');
  });

  test('forbidden: another user than the one who scanned confirms or cancels', async () => {
    const login = await scannedLogin(base, 'ana');
    await expectRefused(base, login, () => mobile(base, 'confirm', 'ben', { id: login.id, code: login.code }), 403, 'forbidden');
    await expectRefused(base, login, () => mobile(base, 'cancel', 'ben', { id: login.id, code: login.code }), 403, 'forbidden');
  });
});

describe('404 not_found', () => {
  test('an unknown id on every browser endpoint and every mobile call', async () => {
    const ghost = { id: randomUUID(), secret: 'x'.repeat(43), code: 'y'.repeat(22) } as CreatedLogin;
    for (const [what, request] of Object.entries(browserCalls(ghost, secretHeader(ghost)))) {
      const res = await request();
      expect(`${what}: ${res.status}`).toBe(`${what}: 404`);
      expectError(res, 404, 'not_found');
    }
    for (const action of ['scan', 'confirm', 'cancel']) {
      expectError(await post(`/api/mobile/${action}`, { id: ghost.id, code: ghost.code }), 404, 'not_found');
    }
  });

  test.each([
    ['no secret', () => ({})],
    ['an empty secret', () => ({ 'x-login-secret': '' })],
    ['a wrong secret', () => ({ 'x-login-secret': 'w'.repeat(43) })],
    ['the code as secret', (login: CreatedLogin) => ({ 'x-login-secret': login.code })],
    ['the secret of another login', (_login: CreatedLogin, other: CreatedLogin) => secretHeader(other)],
  ])('%s on every browser endpoint, even on a confirmed login', async (_what, headersFor) => {
    const login = await confirmedLogin(base, 'ana');
    const other = await createLogin(base);
    for (const [what, request] of Object.entries(browserCalls(login, headersFor(login, other)))) {
      const before = await readSession(base, login);
      const res = await request();
      expect(`${what}: ${res.status}`).toBe(`${what}: 404`);
      expectError(res, 404, 'not_found');
      expect(await readSession(base, login)).toEqual(before);
    }
  });

  test.each([
    ['GET', '/api/nope'],
    ['POST', '/api/mobile/nope'],
    ['GET', `/api/login-sessions/${randomUUID()}/nope`],
    ['GET', '/api'],
    ['GET', '/api/login-sessions/a/b/c/d'],
  ])('JSON 404 on the unknown route %s %s', async (method, path) => {
    expectError(await call(base, method, path), 404, 'not_found');
  });
});

describe('409', () => {
  test('already_scanned: another user scans a scanned login', async () => {
    const login = await scannedLogin(base, 'ana');
    await expectRefused(base, login, () => mobile(base, 'scan', 'ben', { id: login.id, code: login.code }), 409, 'already_scanned');
    await expectRefused(base, login, () => mobile(base, 'scan', 'ben', { qr: login.qr.content }), 409, 'already_scanned');
  });

  test('invalid_state: confirm before scan, repeat confirm, scan/cancel after confirm, scan after cancel', async () => {
    const pending = await createLogin(base);
    await expectRefused(base, pending, () => mobile(base, 'confirm', 'ana', { id: pending.id, code: pending.code }), 409, 'invalid_state');
    const confirmed = await confirmedLogin(base, 'ana');
    const body = { id: confirmed.id, code: confirmed.code };
    await expectRefused(base, confirmed, () => mobile(base, 'confirm', 'ana', body), 409, 'invalid_state');
    await expectRefused(base, confirmed, () => mobile(base, 'scan', 'ana', body), 409, 'invalid_state');
    await expectRefused(base, confirmed, () => mobile(base, 'cancel', 'ana', body), 409, 'invalid_state');
    await expectRefused(base, confirmed, () => abandonHttp(base, confirmed), 409, 'invalid_state');
    const cancelled = await createLogin(base);
    expect((await mobile(base, 'cancel', 'ana', { id: cancelled.id, code: cancelled.code })).status).toBe(200);
    await expectRefused(base, cancelled, () => mobile(base, 'scan', 'ana', { id: cancelled.id, code: cancelled.code }), 409, 'invalid_state');
  });

  test('authorization_pending: redeem while pending or scanned', async () => {
    const pending = await createLogin(base);
    await expectRefused(base, pending, () => redeemHttp(base, pending), 409, 'authorization_pending');
    const scanned = await scannedLogin(base, 'ana');
    await expectRefused(base, scanned, () => redeemHttp(base, scanned), 409, 'authorization_pending');
  });

  test('access_denied: redeem of a cancelled login (phone cancel and browser DELETE)', async () => {
    const byPhone = await scannedLogin(base, 'ana');
    expect((await mobile(base, 'cancel', 'ana', { id: byPhone.id, code: byPhone.code })).status).toBe(200);
    await expectRefused(base, byPhone, () => redeemHttp(base, byPhone), 409, 'access_denied');
    const byBrowser = await createLogin(base);
    expect((await abandonHttp(base, byBrowser)).status).toBe(204);
    await expectRefused(base, byBrowser, () => redeemHttp(base, byBrowser), 409, 'access_denied');
  });

  test('already_redeemed: a repeat redeem past the re-delivery window (within it: the same token)', async () => {
    const login = await confirmedLogin(base, 'ana');
    const first = await redeemHttp(base, login);
    expect(first.status).toBe(200);
    expect(await redeemHttp(base, login)).toMatchObject({ status: 200, body: sameAnswer(first.body) });
    await endRedeliveryWindow(process.env.TEST_REDIS_URL as string, PREFIX, login.id);
    await expectRefused(base, login, () => redeemHttp(base, login), 409, 'already_redeemed');
  });
});

describe('410 expired', () => {
  let short: TestServer;
  beforeAll(async () => {
    short = await startTestServer({ store: 'redis', env: { QR_TTL_SECONDS: '1' } });
  });
  afterAll(() => short.close());

  test('scan of a login whose time ran out; the poll shows expired', async () => {
    const login = await createLogin(short.url);
    await waitFor(async () => (await readSession(short.url, login)).state === 'expired');
    const res = await mobile(short.url, 'scan', 'ana', { id: login.id, code: login.code });
    expectError(res, 410, 'expired');
    expect(await readSession(short.url, login)).toMatchObject({ state: 'expired', version: 2 });
  });
});
