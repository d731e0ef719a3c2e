import { createQrLogin, socketIoOpener, type Channel, type QrCode, type QrLoginHandle, type QrLoginOptions } from '../client/browser';
import type { LoginSnapshot, RedeemedLogin } from '../client/shared/protocol';
import { createMobileClient } from '../client/mobile';
import { qrSvg } from '../server/qr';
import { appToken, call } from './support/client';
import { freePort } from './support/ports';
import { startTestServer, type TestServer } from './support/server';
import { startTcpProxy } from './support/tcp-proxy';

/** The browser SDK (in Node, real fetch and socket.io-client) against a real server, until the login succeeds. */
function follow(options: QrLoginOptions) {
  const states: LoginSnapshot[] = [];
  const channels: Channel[] = [];
  let gotQr!: (code: QrCode) => void;
  let succeeded!: (login: RedeemedLogin) => void;
  let failed!: (err: unknown) => void;
  const qrCode = new Promise<QrCode>((resolve) => (gotQr = resolve));
  const qr = qrCode.then((code) => code.content);
  const success = new Promise<RedeemedLogin>((resolve, reject) => ((succeeded = resolve), (failed = reject)));
  const handle: QrLoginHandle = createQrLogin({
    ...options,
    onQr: (code) => gotQr(code),
    onState: (s) => states.push(s),
    onChannel: (c) => channels.push(c),
    onSuccess: succeeded,
    onError: failed,
  });
  stopAfterTest.push(handle);
  return { qr, qrCode, success, states, channels, handle };
}

const stopAfterTest: QrLoginHandle[] = [];
afterEach(async () => {
  await Promise.all(stopAfterTest.splice(0).map((h) => h.stop()));
});

const until = async (check: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('browser SDK against a real server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const phoneLogsIn = async (qrContent: string) => {
    const phone = createMobileClient({ baseUrl: server.url, token: appToken('ana', { name: 'Ana' }) });
    await phone.confirm(await phone.scan(qrContent));
  };

  test('over the socket: scanned, confirmed, one token that works on /api/me', async () => {
    const login = follow({ baseUrl: server.url });
    const content = await login.qr;
    await until(() => login.channels.includes('socket'));
    await phoneLogsIn(content);
    const { token, user } = await login.success;
    expect(user).toEqual({ id: 'ana', displayName: 'Ana' });
    // `redeemed` may be pushed before the redeem ack comes back; either way each state once, in order.
    expect(login.states.map((s) => s.state).join(' ')).toMatch(/^pending scanned confirmed( redeemed)?$/);
    expect(login.channels).toEqual(['long-poll', 'socket', 'none']);
    const me = await call(server.url, 'GET', '/api/me', { headers: { authorization: `Bearer ${token}` } });
    expect(me).toMatchObject({ status: 200, body: { user: { id: 'ana' } } });
  });

  test('the QR comes with its userCode (v1.1) and an SVG the SDK drew, the server\'s own; a phone that types the code logs the browser in', async () => {
    const login = follow({ baseUrl: server.url });
    const { userCode, content, svg } = await login.qrCode;
    expect(svg).toBe(qrSvg(content));
    expect(userCode).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    const phone = createMobileClient({ baseUrl: server.url, token: appToken('ana', { name: 'Ana' }) });
    await phone.confirm(await phone.scanUserCode(userCode as string));
    expect((await login.success).user).toEqual({ id: 'ana', displayName: 'Ana' });
  });

  test('with the socket unreachable: falls back to the HTTP long poll and still logs in', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const unreachable = socketIoOpener();
    const login = follow({ baseUrl: server.url, openSocket: (_base, auth, events) => unreachable(nowhere, auth, events) });
    const content = await login.qr;
    await until(() => login.channels.includes('long-poll'));
    await phoneLogsIn(content);
    const { token } = await login.success;
    expect(login.channels).toEqual(['long-poll', 'none']);
    expect(login.states.map((s) => s.state).join(' ')).toMatch(/^pending scanned confirmed( redeemed)?$/);
    expect((await call(server.url, 'GET', '/api/me', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  test('a dropped connection: long polls meanwhile, returns to the socket when it is back, then logs in', async () => {
    const proxy = await startTcpProxy(Number(new URL(server.url).port));
    try {
      const login = follow({ baseUrl: proxy.url, socket: { reconnectionDelayMaxMs: 1000 } });
      const content = await login.qr;
      await until(() => login.channels.includes('socket'));
      proxy.dropAll();
      await until(() => login.channels.join(' ') === 'long-poll socket long-poll socket');
      await phoneLogsIn(content);
      expect((await login.success).user.id).toBe('ana');
      expect(login.states.map((s) => s.state).join(' ')).toMatch(/^pending scanned confirmed( redeemed)?$/);
    } finally {
      await proxy.close();
    }
  });

  test('stop() cancels the unfinished session for the phone', async () => {
    const login = follow({ baseUrl: server.url });
    const content = await login.qr;
    await login.handle.stop();
    const phone = createMobileClient({ baseUrl: server.url, token: appToken('ana') });
    await expect(phone.scan(content)).rejects.toMatchObject({ code: 'invalid_state' });
  });
});

describe('browser SDK under a BASE_PATH', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { BASE_PATH: '/auth' } });
  });
  afterAll(() => server.close());

  test('baseUrl with the path: API calls and the socket.io path both follow it', async () => {
    const baseUrl = `${server.url}/auth`;
    const login = follow({ baseUrl });
    const content = await login.qr;
    expect(content.startsWith(`${server.url}/auth/m/login?`)).toBe(true);
    await until(() => login.channels.includes('socket'));
    const phone = createMobileClient({ baseUrl, token: appToken('ana') });
    await phone.confirm(await phone.scan(content));
    expect((await login.success).user.id).toBe('ana');
  });
});
