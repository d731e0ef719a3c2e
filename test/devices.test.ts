/**
 * Linked devices and sign-out (PROTOCOL.md v1.1) on one node, with each
 * store: the redeem makes a device, the phone lists and signs it out, the
 * browser logs out, and its `/session` socket hears of it and is refused after.
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { appToken, bearer, call, confirmedLogin, redeemHttp } from './support/client';
import { expectError, waitFor } from './support/expect';
import { startTestServer, type StoreKind, type TestServer } from './support/server';
import { connectSession, listDevices, logout, me, sessionRefusal, signOutDevice, signOutOf, signOutsOf } from './support/session-socket';

const CHROME_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX_ON_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

/** A whole login by `userId`, redeemed over HTTP by a browser with `userAgent`: the redeem answer. */
async function loggedIn(base: string, userId: string, userAgent = CHROME_ON_WINDOWS): Promise<{ token: string; sid: string; user: any; expiresIn: number }> {
  const login = await confirmedLogin(base, userId);
  const res = await call(base, 'POST', `/api/login-sessions/${login.id}/redeem`, { headers: { 'x-login-secret': login.secret, 'user-agent': userAgent } });
  if (res.status !== 200) throw new Error(`redeem failed: ${res.status} ${JSON.stringify(res.body)}`);
  expect(res.body.sid).toBe(login.id);
  return res.body;
}

describe.each<StoreKind>(['redis', 'memory'])('linked devices (%s store)', (store) => {
  let server: TestServer;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    server = await startTestServer({ store });
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });
  afterAll(() => server.close());
  const session = async (token: string) => {
    const socket = await connectSession(server.url, { token });
    sockets.push(socket);
    return socket;
  };

  test('a redeem makes a device: /api/me names its sid, the phone lists it, newest first, with browser, OS and IP', async () => {
    const user = `ana-${randomUUID().slice(0, 6)}`;
    const first = await loggedIn(server.url, user, CHROME_ON_WINDOWS);
    const second = await loggedIn(server.url, user, FIREFOX_ON_LINUX);
    expect((await me(server.url, first.token)).body).toEqual({ user: { id: user, displayName: user.toUpperCase() }, sid: first.sid });

    const res = await listDevices(server.url, appToken(user));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual({
      devices: [
        { sid: second.sid, browser: 'Firefox 133', os: 'Linux', ip: '127.0.0.1', createdAt: expect.any(String), expiresAt: expect.any(String) },
        { sid: first.sid, browser: 'Chrome 131', os: 'Windows', ip: '127.0.0.1', createdAt: expect.any(String), expiresAt: expect.any(String) },
      ],
    });
    const [newest] = res.body.devices;
    // The device lives as long as its token.
    expect(Date.parse(newest.expiresAt) - Date.parse(newest.createdAt)).toBe(second.expiresIn * 1000);
  });

  test("a user sees only their own devices and cannot sign out another's (404, and it stays signed in)", async () => {
    const ana = `ana-${randomUUID().slice(0, 6)}`;
    const ben = `ben-${randomUUID().slice(0, 6)}`;
    const anas = await loggedIn(server.url, ana);
    expect((await listDevices(server.url, appToken(ben))).body).toEqual({ devices: [] });
    expectError(await signOutDevice(server.url, appToken(ben), anas.sid), 404, 'not_found');
    expectError(await signOutDevice(server.url, appToken(ana), randomUUID()), 404, 'not_found');
    expect((await me(server.url, anas.token)).status).toBe(200);
    expect((await listDevices(server.url, appToken(ana))).body.devices.map((d: any) => d.sid)).toEqual([anas.sid]);
  });

  test('bad input: no app token 401, a web token as app token 401, a malformed sid 400', async () => {
    const ana = `ana-${randomUUID().slice(0, 6)}`;
    const anas = await loggedIn(server.url, ana);
    expectError(await call(server.url, 'GET', '/api/mobile/devices'), 401, 'invalid_token');
    expectError(await listDevices(server.url, anas.token), 401, 'invalid_token');
    expectError(await call(server.url, 'DELETE', `/api/mobile/devices/${anas.sid}`), 401, 'invalid_token');
    expectError(await signOutDevice(server.url, appToken(ana), anas.sid.toUpperCase()), 400, 'invalid_request');
    expectError(await signOutDevice(server.url, appToken(ana), 'not-a-sid'), 400, 'invalid_request');
    // The first character percent-encoded: the router decodes it, but only the spelling issued is valid.
    const encoded = `%${anas.sid.charCodeAt(0).toString(16)}${anas.sid.slice(1)}`;
    expectError(await signOutDevice(server.url, appToken(ana), encoded), 400, 'invalid_request');
    expectError(await call(server.url, 'POST', '/api/mobile/devices', { headers: bearer(appToken(ana)), body: {} }), 405, 'method_not_allowed');
    expectError(await call(server.url, 'POST', '/api/logout'), 401, 'invalid_token');
    expectError(await logout(server.url, `${anas.token}x`), 401, 'invalid_token');
    // Nothing changed.
    expect((await me(server.url, anas.token)).status).toBe(200);
    expect((await listDevices(server.url, appToken(ana))).body.devices).toHaveLength(1);
  });

  test('the phone signs a browser out: 204 (again 204), its socket gets signed_out "revoked" then is disconnected, its token is refused', async () => {
    const ana = `ana-${randomUUID().slice(0, 6)}`;
    const kept = await loggedIn(server.url, ana);
    const gone = await loggedIn(server.url, ana);
    const socket = await session(gone.token);
    const bystander = await session(kept.token);
    const signal = signOutOf(socket);

    expect((await signOutDevice(server.url, appToken(ana), gone.sid)).status).toBe(204);
    const { event, order, reason } = await signal;
    expect(event).toEqual({ sid: gone.sid, reason: 'revoked' });
    expect(order).toEqual(['signed_out', 'disconnect']);
    expect(reason).toBe('io server disconnect');

    expect((await signOutDevice(server.url, appToken(ana), gone.sid)).status).toBe(204);
    expectError(await me(server.url, gone.token), 401, 'invalid_token');
    expect(await sessionRefusal(server.url, { token: gone.token })).toBe('invalid_token');
    expect((await listDevices(server.url, appToken(ana))).body.devices.map((d: any) => d.sid)).toEqual([kept.sid]);
    // The other browser of the same user heard nothing and is still in.
    expect(bystander.connected).toBe(true);
    expect(signOutsOf(bystander)).toEqual([]);
    expect((await me(server.url, kept.token)).status).toBe(200);
  });

  test('logout: 204 (again 204), the socket gets signed_out "logout", the token is refused and the device gone', async () => {
    const ana = `ana-${randomUUID().slice(0, 6)}`;
    const mine = await loggedIn(server.url, ana);
    const socket = await session(mine.token);
    const signal = signOutOf(socket);
    const res = await logout(server.url, mine.token);
    expect(res.status).toBe(204);
    expect((await signal).event).toEqual({ sid: mine.sid, reason: 'logout' });
    expect((await logout(server.url, mine.token)).status).toBe(204);
    expectError(await me(server.url, mine.token), 401, 'invalid_token');
    expect(await sessionRefusal(server.url, { token: mine.token })).toBe('invalid_token');
    expect((await listDevices(server.url, appToken(ana))).body).toEqual({ devices: [] });
    // The phone signing out a logged-out device is the same as signing it out twice.
    expect((await signOutDevice(server.url, appToken(ana), mine.sid)).status).toBe(204);
  });

  test('/session refuses a handshake without a valid token with invalid_token', async () => {
    const ana = `ana-${randomUUID().slice(0, 6)}`;
    const mine = await loggedIn(server.url, ana);
    for (const auth of [{}, { token: '' }, { token: 42 }, { token: 'x'.repeat(9000) }, { token: `${mine.token}x` }, { token: appToken(ana) }, { id: mine.sid }]) {
      expect(await sessionRefusal(server.url, auth)).toBe('invalid_token');
    }
    // The browser's own token still connects.
    expect((await session(mine.token)).connected).toBe(true);
  });

  test('several sockets of one browser all hear of the sign-out; library mode hears it and its check refuses the token', async () => {
    const ana = `ana-${randomUUID().slice(0, 6)}`;
    const mine = await loggedIn(server.url, ana);
    const heard: any[] = [];
    const listener = (signOut: any) => heard.push(signOut);
    server.qrlogin.on('signed_out', listener);
    try {
      expect(await server.qrlogin.checkWebToken(mine.token)).toMatchObject({ user: { id: ana }, sid: mine.sid });
      const signals = await Promise.all([session(mine.token), session(mine.token)]).then((s) => s.map(signOutOf));
      expect((await signOutDevice(server.url, appToken(ana), mine.sid)).status).toBe(204);
      for (const { event } of await Promise.all(signals)) expect(event).toEqual({ sid: mine.sid, reason: 'revoked' });
      expect(heard).toEqual([{ sid: mine.sid, userId: ana, reason: 'revoked' }]);
      expect(await server.qrlogin.checkWebToken(mine.token)).toBeNull();
      expect(await server.qrlogin.checkWebToken('garbage')).toBeNull();
    } finally {
      server.qrlogin.off('signed_out', listener);
    }
  });
});

describe('token expiry on /session', () => {
  test('a socket gets signed_out "expired" when its token runs out, and a reconnect is refused', async () => {
    const server = await startTestServer({ env: { WEB_TOKEN_TTL_SECONDS: '2' } });
    try {
      const mine = await loggedIn(server.url, 'ana');
      const socket = await connectSession(server.url, { token: mine.token });
      const { event, order } = await signOutOf(socket);
      expect(event).toEqual({ sid: mine.sid, reason: 'expired' });
      expect(order).toEqual(['signed_out', 'disconnect']);
      const exp = JSON.parse(Buffer.from(mine.token.split('.')[1] as string, 'base64url').toString()).exp;
      expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000);
      expect(await sessionRefusal(server.url, { token: mine.token })).toBe('invalid_token');
      expectError(await me(server.url, mine.token), 401, 'invalid_token');
    } finally {
      await server.close();
    }
  });
});

describe('the per-user cap', () => {
  test('past MAX_DEVICES_PER_USER the oldest device is signed out, and its socket told', async () => {
    const server = await startTestServer({ env: { MAX_DEVICES_PER_USER: '2' } });
    try {
      const first = await loggedIn(server.url, 'ana');
      const second = await loggedIn(server.url, 'ana');
      const socket = await connectSession(server.url, { token: first.token });
      const signal = signOutOf(socket);
      const third = await loggedIn(server.url, 'ana');
      expect((await signal).event).toEqual({ sid: first.sid, reason: 'revoked' });
      expectError(await me(server.url, first.token), 401, 'invalid_token');
      expect((await listDevices(server.url, appToken('ana'))).body.devices.map((d: any) => d.sid)).toEqual([third.sid, second.sid]);
    } finally {
      await server.close();
    }
  });
});

describe('a sign-out racing the handshake', () => {
  test('a socket that connects while its device is signed out is signed out, whichever comes first', async () => {
    const server = await startTestServer();
    try {
      for (let round = 0; round < 5; round++) {
        const mine = await loggedIn(server.url, 'ana');
        const connecting = connectSession(server.url, { token: mine.token }).then(
          (socket) => signOutOf(socket).then(({ event }) => event),
          (err: Error) => err.message,
        );
        await signOutDevice(server.url, appToken('ana'), mine.sid);
        const outcome = await connecting;
        expect(outcome === 'invalid_token' || (outcome.sid === mine.sid && outcome.reason === 'revoked')).toBe(true);
      }
      await waitFor(() => server.io.of('/session').sockets.size === 0);
    } finally {
      await server.close();
    }
  });
});

test('redeemHttp keeps working without a User-Agent: the device is an unknown browser', async () => {
  const server = await startTestServer();
  try {
    const login = await confirmedLogin(server.url, 'ana');
    const res = await redeemHttp(server.url, login);
    expect(res.body.sid).toBe(login.id);
    const [device] = (await listDevices(server.url, appToken('ana'))).body.devices;
    expect(device).toMatchObject({ sid: login.id, ip: '127.0.0.1' });
  } finally {
    await server.close();
  }
});
