/**
 * The linked-devices parts of the SDKs and the CLI against a real server:
 * the mobile SDK's devices() and signOut(), the browser SDK's watchSession(),
 * and `qrlogin-phone devices` / `sign-out`.
 */
import { watchSession } from '../client/browser';
import { createMobileClient, NotFoundError, QrLoginError } from '../client/mobile';
import type { SignedOutEvent } from '../client/shared/protocol';
import { runCli } from './support/cli';
import { appToken, call, confirmedLogin } from './support/client';
import { waitFor } from './support/expect';
import { startTestServer, type TestServer } from './support/server';
import { logout, me } from './support/session-socket';

const FIREFOX_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';

describe('linked devices in the SDKs and the CLI', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { DEMO: '1', DEMO_FORCE: '1' } });
  });
  afterAll(() => server.close());

  let users = 0;
  /** A fresh user (so lists do not mix between tests) logged in on one Firefox: its token and sid. */
  async function loggedIn(): Promise<{ userId: string; token: string; sid: string }> {
    const userId = `user${++users}`;
    const login = await confirmedLogin(server.url, userId);
    const res = await call(server.url, 'POST', `/api/login-sessions/${login.id}/redeem`, { headers: { 'x-login-secret': login.secret, 'user-agent': FIREFOX_ON_WINDOWS } });
    return { userId, token: res.body.token, sid: res.body.sid };
  }
  const sessionSockets = () => server.io.of('/session').sockets.size;

  test("mobile SDK: devices() lists the user's browsers, signOut() signs one out (again: fine), another's is NotFoundError", async () => {
    const { userId, token, sid } = await loggedIn();
    const phone = createMobileClient({ baseUrl: server.url, token: appToken(userId) });
    expect(await phone.devices()).toEqual([
      { sid, browser: 'Firefox 133', os: 'Windows', ip: '127.0.0.1', createdAt: expect.any(String), expiresAt: expect.any(String) },
    ]);
    const stranger = createMobileClient({ baseUrl: server.url, token: appToken('stranger') });
    const refused = await stranger.signOut(sid).then(() => null, (err: unknown) => err);
    expect(refused).toBeInstanceOf(NotFoundError);
    expect((refused as QrLoginError).code).toBe('not_found');

    await expect(phone.signOut(sid)).resolves.toBeUndefined();
    await expect(phone.signOut(sid)).resolves.toBeUndefined();
    expect(await phone.devices()).toEqual([]);
    expect((await me(server.url, token)).status).toBe(401);
  });

  test('browser SDK: watchSession hears the sign-out from the phone once, then its socket is gone', async () => {
    const { userId, token, sid } = await loggedIn();
    const heard: SignedOutEvent[] = [];
    const watch = watchSession(token, { baseUrl: server.url, transports: ['websocket'], onSignedOut: (event) => heard.push(event) });
    try {
      await waitFor(() => sessionSockets() === 1);
      await createMobileClient({ baseUrl: server.url, token: appToken(userId) }).signOut(sid);
      await waitFor(() => heard.length === 1);
      expect(heard).toEqual([{ sid, reason: 'revoked' }]);
      await waitFor(() => sessionSockets() === 0);
    } finally {
      watch.close();
    }
  });

  test('browser SDK: a token signed out while the page was away is reported when watching starts', async () => {
    const { token, sid } = await loggedIn();
    expect((await logout(server.url, token)).status).toBe(204);
    const heard = await new Promise<SignedOutEvent>((resolve) => {
      watchSession(token, { baseUrl: server.url, transports: ['websocket'], onSignedOut: resolve });
    });
    // The refusal does not say why; before the token's exp it reads as revoked.
    expect(heard).toEqual({ sid, reason: 'revoked' });
    await waitFor(() => sessionSockets() === 0);
  });

  test('browser SDK: close() stops watching, so a later sign-out reaches nothing', async () => {
    const { userId, token, sid } = await loggedIn();
    const heard: SignedOutEvent[] = [];
    const watch = watchSession(token, { baseUrl: server.url, transports: ['websocket'], onSignedOut: (event) => heard.push(event) });
    await waitFor(() => sessionSockets() === 1);
    watch.close();
    await waitFor(() => sessionSockets() === 0);
    await createMobileClient({ baseUrl: server.url, token: appToken(userId) }).signOut(sid);
    // With no socket left on the server, the sign-out had no one to tell.
    expect(sessionSockets()).toBe(0);
    expect(heard).toEqual([]);
  });

  test('qrlogin-phone devices lists, sign-out signs out; bad usage is exit code 2, a refusal exit code 1', async () => {
    const { userId, token, sid } = await loggedIn();
    const listed = await runCli(['devices', '--user', userId, '--base-url', server.url]);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(listed.stdout).toMatch(new RegExp(`^${sid}  Firefox 133 on Windows from 127\\.0\\.0\\.1, since `));

    expect(await runCli(['sign-out', sid, '--user', userId, '--base-url', server.url])).toMatchObject({ code: 0, stdout: `signed out: ${sid}\n` });
    expect((await me(server.url, token)).status).toBe(401);
    expect((await runCli(['devices', '--user', userId, '--base-url', server.url])).stdout).toBe('no devices: this user is not logged in on any browser\n');

    const other = await runCli(['sign-out', sid, '--user', 'someone-else', '--base-url', server.url]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/^error: not_found: /);
    expect((await runCli(['devices'])).code).toBe(2); // no server named
    expect((await runCli(['sign-out', '--base-url', server.url])).code).toBe(2); // no sid
  });
});
