/**
 * The typed user code (PROTOCOL.md v1.1 `userCode`): issued with each login,
 * scanned instead of the QR, usable only while the login waits for this user,
 * and wrong codes limited per IP and per user (shared by every node). Real
 * HTTP against real nodes on the run's Redis.
 */
import { randomBytes } from 'node:crypto';
import { USER_CODE_ALPHABET } from '../client/shared/protocol';
import { appToken, bearer, call, connectBrowser, createLogin, readSession, redeemHttp, waitForState } from './support/client';
import { expectError, waitFor } from './support/expect';
import { startTestServer, type TestServer } from './support/server';
import { randomUserCode } from './store.conformance';

const USER_CODE = new RegExp(`^[${USER_CODE_ALPHABET}]{4}-[${USER_CODE_ALPHABET}]{4}$`);

/** A scan by user code as `userId`, from `ip` (the servers below believe X-Forwarded-For). */
const scanCode = (base: string, userId: string, userCode: unknown, ip = '203.0.113.9') =>
  call(base, 'POST', '/api/mobile/scan', { body: { userCode }, headers: { ...bearer(appToken(userId)), 'x-forwarded-for': ip } });

const mobileCall = (base: string, action: 'confirm' | 'cancel', userId: string, body: unknown) =>
  call(base, 'POST', `/api/mobile/${action}`, { body, headers: bearer(appToken(userId)) });

/** A user code no live login holds, typed as a user might. */
const wrongCode = () => randomUserCode().toLowerCase();

/** A distinct address per `i`, each in its own /24 (and so its own network by any rule). */
const ipNo = (i: number) => `198.51.${i}.7`;

const TRUSTING = { TRUST_PROXY: '1' };

describe('user codes: issue and scan', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: TRUSTING });
  });
  afterAll(() => server.close());

  test('each login answers its own userCode: 8 letters of the alphabet, as XXXX-XXXX', async () => {
    const logins = await Promise.all(Array.from({ length: 20 }, () => createLogin(server.url)));
    for (const login of logins) expect((login).userCode).toMatch(USER_CODE);
    expect(new Set(logins.map((l) => (l).userCode)).size).toBe(20);
  });

  test('typed in any case with spaces and dashes, it scans like the QR and answers the code; confirm then logs the browser in', async () => {
    const login = await createLogin(server.url, { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0' });
    const socket = await connectBrowser(server.url, { id: login.id, secret: login.secret });
    try {
      const typed = ` ${login.userCode.slice(0, 2).toLowerCase()} ${login.userCode.slice(2, 6)}-- ${login.userCode.slice(6).toLowerCase()} `;
      const scan = await scanCode(server.url, 'ana', typed);
      expect(scan.status).toBe(200);
      expect(scan.body).toEqual({
        id: login.id,
        state: 'scanned',
        version: 2,
        expiresAt: login.expiresAt,
        code: login.code,
        request: expect.objectContaining({ browser: 'Chrome 131', os: 'Windows', ip: '127.0.0.1', sameNetwork: false }),
      });
      expect(await waitForState(socket, (s) => s.state === 'scanned')).toMatchObject({ version: 2, user: { id: 'ana' } });

      const confirm = await mobileCall(server.url, 'confirm', 'ana', { id: scan.body.id, code: scan.body.code });
      expect(confirm).toMatchObject({ status: 200, body: { state: 'confirmed', version: 3 } });
      expect(await redeemHttp(server.url, login)).toMatchObject({ status: 200, body: { user: { id: 'ana' } } });
    } finally {
      socket.close();
    }
  });

  test('a repeat by the same user answers again; another user, or any user once confirmed, cancelled or redeemed, gets 404', async () => {
    const login = await createLogin(server.url);
    expect((await scanCode(server.url, 'ana', login.userCode)).status).toBe(200);
    expect(await scanCode(server.url, 'ana', login.userCode)).toMatchObject({ status: 200, body: { state: 'scanned', version: 2, code: login.code } });
    // Scanned by ana: for ben the code opens nothing (and says nothing of ana's login).
    expectError(await scanCode(server.url, 'ben', login.userCode), 404, 'not_found');
    expect(await readSession(server.url, login)).toMatchObject({ state: 'scanned', version: 2, user: { id: 'ana' } });

    await mobileCall(server.url, 'confirm', 'ana', { id: login.id, code: login.code });
    expectError(await scanCode(server.url, 'ana', login.userCode), 404, 'not_found');
    expect((await redeemHttp(server.url, login)).status).toBe(200);
    expectError(await scanCode(server.url, 'ana', login.userCode), 404, 'not_found');

    const cancelled = await createLogin(server.url);
    expect((await mobileCall(server.url, 'cancel', 'ben', { id: cancelled.id, code: cancelled.code })).status).toBe(200);
    expectError(await scanCode(server.url, 'ben', cancelled.userCode), 404, 'not_found');
    expect(await readSession(server.url, cancelled)).toMatchObject({ state: 'cancelled', version: 2 });
  });

  test('an unknown code is 404 not_found; one that cannot be a code is 400 naming userCode; neither changes anything', async () => {
    const login = await createLogin(server.url);
    expectError(await scanCode(server.url, 'chloe', wrongCode()), 404, 'not_found');
    for (const bad of ['AEIO-UBCD', 'BCDF-GHJ', 'BCDF-GHJKL', 'BCDF_GHJK', '', 12345678, null, 'x'.repeat(65)]) {
      const res = await scanCode(server.url, 'chloe', bad);
      expectError(res, 400, 'invalid_request');
      expect(res.body.message).toMatch(/^userCode: /);
    }
    expect(await readSession(server.url, login)).toMatchObject({ state: 'pending', version: 1 });
  });
});

describe('user codes: expiry', () => {
  test('a code whose login expired is 404 not_found', async () => {
    const server = await startTestServer({ env: { ...TRUSTING, QR_TTL_SECONDS: '1' } });
    try {
      const login = await createLogin(server.url);
      await waitFor(async () => (await readSession(server.url, login)).state === 'expired');
      expectError(await scanCode(server.url, 'ana', login.userCode), 404, 'not_found');
    } finally {
      await server.close();
    }
  });
});

describe('user codes: wrong ones are limited to 10 per user and 10 per IP in 10 minutes', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({ env: TRUSTING });
  });
  afterEach(() => server.close());

  /** A 429 rate_limited with a Retry-After of the 10-minute window, not the 1-minute one of the other limits. */
  const expectLimited = (res: Awaited<ReturnType<typeof scanCode>>) => {
    expectError(res, 429, 'rate_limited');
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(60);
    expect(retryAfter).toBeLessThanOrEqual(600);
  };

  test('per user: after 10 wrong codes from 10 addresses, the user gets 429 even for a right code; another user does not', async () => {
    const user = `mallory-${randomBytes(3).toString('hex')}`;
    for (let i = 0; i < 10; i++) expectError(await scanCode(server.url, user, wrongCode(), ipNo(i)), 404, 'not_found');
    expectLimited(await scanCode(server.url, user, wrongCode(), ipNo(10)));
    const login = await createLogin(server.url);
    expectLimited(await scanCode(server.url, user, login.userCode, ipNo(11)));
    expect(await readSession(server.url, login)).toMatchObject({ state: 'pending', version: 1 });
    expect((await scanCode(server.url, 'ana', login.userCode, ipNo(12))).status).toBe(200);
    // Scanning by QR is not a guess: it stays open to the limited user.
    const other = await createLogin(server.url);
    expect((await call(server.url, 'POST', '/api/mobile/scan', { body: { id: other.id, code: other.code }, headers: bearer(appToken(user)) })).status).toBe(200);
  });

  test('per IP: after 10 wrong codes by 10 users from one address, every user there gets 429; elsewhere the code works', async () => {
    const ip = ipNo(42);
    for (let i = 0; i < 10; i++) expectError(await scanCode(server.url, `user-${i}`, wrongCode(), ip), 404, 'not_found');
    const login = await createLogin(server.url);
    expectLimited(await scanCode(server.url, 'ana', login.userCode, ip));
    expect((await scanCode(server.url, 'ana', login.userCode, ipNo(43))).status).toBe(200);
  });

  test('right codes do not count: 12 logins scanned by code, then still 10 wrong ones before the 11th is refused', async () => {
    const ip = ipNo(77);
    for (let i = 0; i < 12; i++) {
      const login = await createLogin(server.url);
      expect((await scanCode(server.url, 'ana', login.userCode, ip)).status).toBe(200);
    }
    for (let i = 0; i < 10; i++) expectError(await scanCode(server.url, 'ana', wrongCode(), ip), 404, 'not_found');
    expectLimited(await scanCode(server.url, 'ana', wrongCode(), ip));
  });

  test('20 wrong codes at once: exactly 10 are tried (404), the other 10 refused (429)', async () => {
    // On one node's own counters: with Redis a count slower than its timeout falls back to them
    // (rate-limits.ts), which a loaded machine must not turn into a different total here.
    const node = await startTestServer({ store: 'memory', env: TRUSTING });
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, () => scanCode(node.url, 'eve', wrongCode(), ipNo(99))));
      expect(answers.filter((a) => a.status === 404)).toHaveLength(10);
      expect(answers.filter((a) => a.status === 429)).toHaveLength(10);
    } finally {
      await node.close();
    }
  });
});

describe('user codes across nodes', () => {
  test('a code issued on one node scans on another, and the wrong-code count is shared', async () => {
    const env = { ...TRUSTING, REDIS_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}:` };
    const [a, b] = await Promise.all([startTestServer({ env }), startTestServer({ env })]);
    try {
      const login = await createLogin(a.url);
      expect(await scanCode(b.url, 'ana', login.userCode)).toMatchObject({ status: 200, body: { id: login.id, code: login.code } });
      for (let i = 0; i < 10; i++) expectError(await scanCode(i % 2 ? a.url : b.url, 'mallory', wrongCode(), ipNo(i)), 404, 'not_found');
      expectError(await scanCode(a.url, 'mallory', wrongCode(), ipNo(20)), 429, 'rate_limited');
      expectError(await scanCode(b.url, 'mallory', wrongCode(), ipNo(21)), 429, 'rate_limited');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
