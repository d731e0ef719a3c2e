import type { Socket } from 'socket.io-client';
import { call, connectBrowser, createLogin, mobile, waitForState, statesOf } from './support/client';
import { sameAnswer } from './support/redelivery';
import { startTestServer, type StoreKind, type TestServer } from './support/server';

describe.each<StoreKind>(['redis', 'memory'])('the QR login flow on one node (%s store)', (store) => {
  let server: TestServer;
  let socket: Socket | undefined;
  beforeAll(async () => {
    server = await startTestServer({ store });
  });
  afterEach(() => socket?.close());
  afterAll(() => server.close());

  test('browser sees scanned then confirmed over the socket, redeems once, and the token works on /api/me', async () => {
    const login = await createLogin(server.url);
    expect(login.qr.content).toBe(`${server.url}/m/login?id=${login.id}&code=${login.code}`);
    expect(login.qr.content).not.toContain(login.secret);
    socket = await connectBrowser(server.url, { id: login.id, secret: login.secret });
    expect((await waitForState(socket, (s) => s.version === 1)).state).toBe('pending');

    const scan = await mobile(server.url, 'scan', 'ana', { qr: login.qr.content });
    expect(scan.status).toBe(200);
    expect(scan.body).toMatchObject({ id: login.id, state: 'scanned', version: 2, request: { ip: '127.0.0.1', sameNetwork: true } });
    const scanned = await waitForState(socket, (s) => s.state === 'scanned');
    expect(scanned).toEqual({ id: login.id, state: 'scanned', version: 2, expiresAt: login.expiresAt, user: { id: 'ana', displayName: 'ANA' } });

    expect((await mobile(server.url, 'confirm', 'ana', { id: login.id, code: login.code })).body).toEqual({ id: login.id, state: 'confirmed', version: 3 });
    await waitForState(socket, (s) => s.state === 'confirmed' && s.version === 3);

    const ack = await socket.timeout(5000).emitWithAck('redeem');
    expect(ack).toMatchObject({ tokenType: 'Bearer', user: { id: 'ana', displayName: 'ANA' } });
    expect(typeof ack.token).toBe('string');
    // A repeat (its first answer lost, say) gets the same token again (v1.1), never another one.
    const again = await call(server.url, 'POST', `/api/login-sessions/${login.id}/redeem`, { headers: { 'x-login-secret': login.secret } });
    expect(again).toMatchObject({ status: 200, body: sameAnswer(ack) });

    const me = await call(server.url, 'GET', '/api/me', { headers: { authorization: `Bearer ${ack.token}` } });
    expect(me).toMatchObject({ status: 200, body: { user: { id: 'ana', displayName: 'ANA' } } });
    await waitForState(socket, (s) => s.state === 'redeemed' && s.version === 4);
    // No pushed event ever carries the token.
    expect(JSON.stringify(statesOf(socket))).not.toContain(ack.token);
  });
});
