/**
 * Expiry (PROTOCOL.md "States"): with QR_TTL_SECONDS=1 a session in a
 * non-final state becomes `expired` (version + 1) by itself; sockets are told,
 * polls show it, and every action answers 410 expired.
 */
import type { Socket } from 'socket.io-client';
import {
  abandonHttp,
  call,
  closeBrowsers,
  connectBrowser,
  createLogin,
  mobile,
  readSession,
  redeemHttp,
  scannedLogin,
  secretHeader,
  statesOf,
  waitForState,
  type CreatedLogin,
} from './support/client';
import { expectError, waitFor } from './support/expect';
import { startTestServer, type StoreKind, type TestServer } from './support/server';

const EXPIRY_WAIT_MS = 10_000;

describe.each<StoreKind>(['redis', 'memory'])('expiry with QR_TTL_SECONDS=1 (%s store)', (store) => {
  let server: TestServer;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    server = await startTestServer({ store, env: { QR_TTL_SECONDS: '1' } });
  });
  afterEach(() => closeBrowsers(sockets, server));
  afterAll(() => server.close());

  const join = async (login: CreatedLogin) => {
    const socket = await connectBrowser(server.url, { id: login.id, secret: login.secret });
    sockets.push(socket);
    return socket;
  };
  /**
   * A login (made by `make`) with a socket that joined before the 1 s TTL ran
   * out, so that the expiry is seen as a push. On a machine so loaded that
   * joining took longer than the TTL, try again with a fresh login.
   */
  const joinedInTime = async (make: () => Promise<CreatedLogin>) => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const login = await make();
      const socket = await join(login);
      if ((await waitForState(socket)).state !== 'expired') return { login, socket };
    }
    throw new Error('could not join a login within its 1 s TTL (machine overloaded)');
  };
  const expiredPoll = (login: CreatedLogin) => waitFor(async () => (await readSession(server.url, login)).state === 'expired', EXPIRY_WAIT_MS);

  test('a socket receives expired (version + 1) without anyone asking', async () => {
    const { login, socket } = await joinedInTime(() => createLogin(server.url));
    expect(login).toMatchObject({ expiresIn: 1 });
    const expired = await waitForState(socket, (s) => s.state === 'expired', EXPIRY_WAIT_MS);
    expect(expired).toEqual({ id: login.id, state: 'expired', version: 2, expiresAt: login.expiresAt });
    expect(statesOf(socket).map((s) => `${s.version}:${s.state}`)).toEqual(['1:pending', '2:expired']);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(login.expiresAt));
    expect(await readSession(server.url, login)).toEqual(expired);
  });

  test('a scanned login expires too, keeping its user, at version 3', async () => {
    const { socket } = await joinedInTime(() => scannedLogin(server.url, 'ana'));
    const expired = await waitForState(socket, (s) => s.state === 'expired', EXPIRY_WAIT_MS);
    expect(expired).toMatchObject({ state: 'expired', version: 3, user: { id: 'ana' } });
  });

  test('a long poll wakes up on expiry', async () => {
    const login = await createLogin(server.url);
    const started = Date.now();
    const res = await call(server.url, 'GET', `/api/login-sessions/${login.id}?after=1&waitMs=25000`, { headers: secretHeader(login) });
    expect(res.body).toMatchObject({ state: 'expired', version: 2 });
    expect(Date.now() - started).toBeLessThan(12_500);
  });

  test('scan, confirm, cancel, redeem (HTTP and socket) and DELETE answer 410 expired and change nothing', async () => {
    const login = await createLogin(server.url);
    const scanned = await scannedLogin(server.url, 'ana');
    const socket = await join(scanned);
    await expiredPoll(login);
    await expiredPoll(scanned);
    for (const target of [login, scanned]) {
      const body = { id: target.id, code: target.code };
      expectError(await mobile(server.url, 'scan', 'ana', body), 410, 'expired');
      expectError(await mobile(server.url, 'confirm', 'ana', body), 410, 'expired');
      expectError(await mobile(server.url, 'cancel', 'ana', body), 410, 'expired');
      expectError(await redeemHttp(server.url, target), 410, 'expired');
      expectError(await abandonHttp(server.url, target), 410, 'expired');
    }
    // The socket was told `expired`, its last state, and closed by the server (a redeem there has nowhere to go).
    expect(await waitForState(socket, (s) => s.state === 'expired')).toMatchObject({ version: 3 });
    await waitFor(() => socket.disconnected);
    expect(socket.active).toBe(false);
    expect(await readSession(server.url, login)).toMatchObject({ state: 'expired', version: 2 });
    expect(await readSession(server.url, scanned)).toMatchObject({ state: 'expired', version: 3 });
  });

  test('a login that reached a final state in time does not expire', async () => {
    const login = await createLogin(server.url);
    expect((await abandonHttp(server.url, login)).status).toBe(204);
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(login.expiresAt) - Date.now()) + 300));
    expect(await readSession(server.url, login)).toMatchObject({ state: 'cancelled', version: 2 });
    expect((await abandonHttp(server.url, login)).status).toBe(204);
  });
});

describe('the confirm window (CONFIRM_WINDOW_SECONDS=1)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { CONFIRM_WINDOW_SECONDS: '1' } });
  });
  afterAll(() => server.close());

  test('a confirm too long after the scan answers 410 expired and leaves the login scanned', async () => {
    const login = await scannedLogin(server.url, 'ana');
    await new Promise((r) => setTimeout(r, 1200));
    expectError(await mobile(server.url, 'confirm', 'ana', { id: login.id, code: login.code }), 410, 'expired');
    expect(await readSession(server.url, login)).toMatchObject({ state: 'scanned', version: 2 });
    // A repeat scan is idempotent and does not reopen the window.
    expect((await mobile(server.url, 'scan', 'ana', { id: login.id, code: login.code })).status).toBe(200);
    expectError(await mobile(server.url, 'confirm', 'ana', { id: login.id, code: login.code }), 410, 'expired');
  });
});
