/**
 * The polling fallback's long poll: GET /api/login-sessions/:id?after=&waitMs=
 * (PROTOCOL.md "Browser API"). Durations are only compared with waitMs to tell
 * "woke up" from "timed out", with wide margins; speed is the benchmarks' job.
 */
import { call, createLogin, mobile, scannedLogin, secretHeader, type CreatedLogin } from './support/client';
import { expectError } from './support/expect';
import { startTestServer, type StoreKind, type TestServer } from './support/server';

describe.each<StoreKind>(['redis', 'memory'])('long poll (%s store)', (store) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store });
  });
  afterAll(() => server.close());

  const poll = async (login: CreatedLogin, query: string) => {
    const started = Date.now();
    const res = await call(server.url, 'GET', `/api/login-sessions/${login.id}?${query}`, { headers: secretHeader(login) });
    return { ...res, tookMs: Date.now() - started };
  };

  test('wakes up on a transition, long before waitMs', async () => {
    const login = await createLogin(server.url);
    const waiting = poll(login, 'after=1&waitMs=25000');
    // The poll is held: give it a moment to be registered, then change the session.
    await new Promise((r) => setTimeout(r, 100));
    const scan = await mobile(server.url, 'scan', 'ana', { id: login.id, code: login.code });
    expect(scan.status).toBe(200);
    const res = await waiting;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: login.id, state: 'scanned', version: 2, expiresAt: login.expiresAt, user: { id: 'ana', displayName: 'ANA' } });
    expect(res.tookMs).toBeLessThan(12_500);
  });

  test('several polls of one session all wake up, and the next one waits again', async () => {
    const login = await createLogin(server.url);
    const waiting = [poll(login, 'after=1&waitMs=25000'), poll(login, 'after=1&waitMs=25000')];
    await new Promise((r) => setTimeout(r, 100));
    await mobile(server.url, 'scan', 'ana', { id: login.id, code: login.code });
    for (const res of await Promise.all(waiting)) expect(res.body).toMatchObject({ state: 'scanned', version: 2 });
    const next = poll(login, 'after=2&waitMs=25000');
    await new Promise((r) => setTimeout(r, 100));
    await mobile(server.url, 'confirm', 'ana', { id: login.id, code: login.code });
    expect((await next).body).toMatchObject({ state: 'confirmed', version: 3 });
  });

  test('answers the unchanged snapshot when waitMs passes', async () => {
    const login = await createLogin(server.url);
    const res = await poll(login, 'after=1&waitMs=400');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: login.id, state: 'pending', version: 1, expiresAt: login.expiresAt });
    expect(res.tookMs).toBeGreaterThanOrEqual(350);
  });

  test('answers at once when the version is already newer than after', async () => {
    const login = await scannedLogin(server.url, 'ana');
    for (const after of [0, 1]) {
      const res = await poll(login, `after=${after}&waitMs=25000`);
      expect(res.body).toMatchObject({ state: 'scanned', version: 2 });
      expect(res.tookMs).toBeLessThan(12_500);
    }
  });

  test('without after, or with waitMs=0, it is a plain read', async () => {
    const login = await createLogin(server.url);
    for (const query of ['waitMs=25000', 'after=1', 'after=1&waitMs=0', '']) {
      const res = await poll(login, query);
      expect(res.body).toMatchObject({ state: 'pending', version: 1 });
      expect(res.tookMs).toBeLessThan(12_500);
    }
  });

  test.each([
    'after=-1&waitMs=100',
    'after=abc&waitMs=100',
    'after=1.5&waitMs=100',
    'after=1&waitMs=30001',
    'after=1&waitMs=-5',
    'after=1&waitMs=soon',
    'after=1&waitMs=1e9',
    'after=1&after=2&waitMs=100',
  ])('a bad query (%s) is a 400', async (query) => {
    const login = await createLogin(server.url);
    expectError(await poll(login, query), 400, 'invalid_request');
  });

  test('a wrong secret is a 404 at once, not a held request', async () => {
    const login = await createLogin(server.url);
    const res = await poll({ ...login, secret: 'w'.repeat(43) }, 'after=1&waitMs=25000');
    expectError(res, 404, 'not_found');
    expect(res.tookMs).toBeLessThan(12_500);
  });
});
