/**
 * The `/login` Socket.IO namespace (PROTOCOL.md "Socket.IO") over both
 * transports: the handshake by id + secret, the snapshot first, the pushed
 * transitions, and `redeem` with an ack.
 */
import { io, type Socket } from 'socket.io-client';
import {
  abandonHttp,
  call,
  closeBrowsers,
  confirmedLogin,
  connectBrowser,
  createLogin,
  mobile,
  nextDisconnect,
  readSession,
  redeemHttp,
  scannedLogin,
  statesOf,
  waitForState,
  type CreatedLogin,
} from './support/client';
import { sameAnswer } from './support/redelivery';
import { waitFor } from './support/wait';
import { startTestServer, type StoreKind, type TestServer } from './support/server';

describe.each<[string, StoreKind]>([
  ['websocket', 'redis'],
  ['polling', 'redis'],
  ['websocket', 'memory'],
  ['polling', 'memory'],
])('the /login namespace over %s (%s store)', (transport, store) => {
  let server: TestServer;
  const sockets: Socket[] = [];
  const connect = async (auth: unknown) => {
    const socket = await connectBrowser(server.url, auth, [transport]);
    sockets.push(socket);
    return socket;
  };
  const redeemAck = (socket: Socket, ...args: unknown[]) => socket.timeout(10_000).emitWithAck('redeem', ...args);

  beforeAll(async () => {
    server = await startTestServer({ store });
  });
  afterEach(() => closeBrowsers(sockets, server));
  afterAll(() => server.close());

  test('joining with the right secret: the first event is the current snapshot', async () => {
    const login = await createLogin(server.url);
    const socket = await connect({ id: login.id, secret: login.secret });
    expect(socket.io.engine.transport.name).toBe(transport);
    const first = await waitForState(socket);
    expect(first).toEqual(await readSession(server.url, login));
    expect(first).toEqual({ id: login.id, state: 'pending', version: 1, expiresAt: login.expiresAt });
  });

  test('joining late re-reads: a scanned login shows scanned with its user first', async () => {
    const login = await scannedLogin(server.url, 'ana');
    const socket = await connect({ id: login.id, secret: login.secret });
    expect(await waitForState(socket)).toEqual({
      id: login.id,
      state: 'scanned',
      version: 2,
      expiresAt: login.expiresAt,
      user: { id: 'ana', displayName: 'ANA' },
    });
  });

  test.each<[string, (l: CreatedLogin) => unknown]>([
    ['a wrong secret', (l) => ({ id: l.id, secret: 'w'.repeat(43) })],
    ['the code as secret', (l) => ({ id: l.id, secret: l.code })],
    ['an unknown id', (l) => ({ id: '0b7a9f8e-1c2d-4e3f-9a0b-1c2d3e4f5a6b', secret: l.secret })],
    ['no auth', () => undefined],
    ['an empty auth', () => ({})],
    ['no secret', (l) => ({ id: l.id })],
    ['an empty secret', (l) => ({ id: l.id, secret: '' })],
    ['a numeric secret', (l) => ({ id: l.id, secret: 12345 })],
    ['an uppercase id', (l) => ({ id: l.id.toUpperCase(), secret: l.secret })],
    ['an id that is not a uuid', (l) => ({ id: 'hello', secret: l.secret })],
    ['an over-long secret', (l) => ({ id: l.id, secret: 'a'.repeat(10_000) })],
  ])('joining with %s fails the handshake with not_found', async (_what, authFor) => {
    const login = await createLogin(server.url);
    await expect(connect(authFor(login))).rejects.toThrow(/^not_found$/);
    expect(await readSession(server.url, login)).toMatchObject({ state: 'pending', version: 1 });
  });

  test.each([['a string', 'abc'], ['an array', [1, 2]]])('an auth that is %s is dropped by Socket.IO; the server keeps serving', async (_what, auth) => {
    const socket = io(`${server.url}/login`, { auth: auth as never, transports: [transport], reconnection: false, forceNew: true });
    const outcome = await new Promise<string>((resolve) => {
      socket.on('connect', () => resolve('connected'));
      socket.on('connect_error', (err) => resolve(err.message));
      socket.io.on('close', (reason) => resolve(reason));
    });
    socket.close();
    expect(outcome).toBe('transport close');
    const login = await createLogin(server.url);
    expect(await waitForState(await connect({ id: login.id, secret: login.secret }))).toMatchObject({ version: 1 });
  });

  test('every transition is pushed in order, to every socket of the session and no other', async () => {
    const login = await createLogin(server.url);
    const other = await createLogin(server.url);
    const [a, b, c] = [
      await connect({ id: login.id, secret: login.secret }),
      await connect({ id: login.id, secret: login.secret }),
      await connect({ id: other.id, secret: other.secret }),
    ];
    await Promise.all([a, b, c].map((s) => waitForState(s)));
    await mobile(server.url, 'scan', 'ana', { id: login.id, code: login.code });
    await mobile(server.url, 'confirm', 'ana', { id: login.id, code: login.code });
    for (const socket of [a, b]) {
      await waitForState(socket, (s) => s.version === 3);
      expect(statesOf(socket).map((s) => `${s.version}:${s.state}`)).toEqual(['1:pending', '2:scanned', '3:confirmed']);
    }
    // The other session's socket is on a room of its own: a change there would reach it, this one did not.
    await abandonHttp(server.url, other);
    await waitForState(c, (s) => s.state === 'cancelled');
    expect(statesOf(c).map((s) => s.id)).toEqual([other.id, other.id]);
  });

  test('redeem with an ack: the token, and the same token again to a repeat over the socket or HTTP', async () => {
    const login = await confirmedLogin(server.url, 'ana');
    const socket = await connect({ id: login.id, secret: login.secret });
    await waitForState(socket, (s) => s.state === 'confirmed');
    const closed = nextDisconnect(socket);
    const ack = await redeemAck(socket);
    expect(ack).toEqual({ token: expect.any(String), tokenType: 'Bearer', expiresIn: expect.any(Number), user: { id: 'ana', displayName: 'ANA' }, sid: login.id });
    const me = await call(server.url, 'GET', '/api/me', { headers: { authorization: `Bearer ${ack.token}` } });
    expect(me.body.user.id).toBe('ana');
    // Its work done, the socket is closed by the server after its last state.
    expect(await closed).toBe('io server disconnect');
    expect(statesOf(socket).at(-1)).toMatchObject({ state: 'redeemed', version: 4 });
    // A browser whose answer was lost comes back on a new socket: it is told `redeemed`, stays open for the repeat, gets the same token, and is closed.
    const again = await connect({ id: login.id, secret: login.secret });
    await waitForState(again, (s) => s.state === 'redeemed');
    const againClosed = nextDisconnect(again);
    expect(await redeemAck(again)).toEqual(sameAnswer(ack));
    expect(await againClosed).toBe('io server disconnect');
    expect((await redeemHttp(server.url, login)).body).toEqual(sameAnswer(ack));
    expect(JSON.stringify([...statesOf(socket), ...statesOf(again)])).not.toContain(ack.token);
  });

  test('redeem before confirm is authorization_pending, after a cancel access_denied', async () => {
    const login = await createLogin(server.url);
    const socket = await connect({ id: login.id, secret: login.secret });
    expect(await redeemAck(socket)).toEqual({ error: 'authorization_pending', message: expect.any(String) });
    await mobile(server.url, 'scan', 'ana', { id: login.id, code: login.code });
    expect(await redeemAck(socket)).toEqual({ error: 'authorization_pending', message: expect.any(String) });
    const closed = nextDisconnect(socket);
    await mobile(server.url, 'cancel', 'ana', { id: login.id, code: login.code });
    // After the last state the server closes the socket; the redeem is refused over HTTP.
    expect(await closed).toBe('io server disconnect');
    expect(statesOf(socket).at(-1)).toMatchObject({ state: 'cancelled', version: 3 });
    expect((await redeemHttp(server.url, login)).body).toEqual({ error: 'access_denied', message: expect.any(String) });
    expect(await readSession(server.url, login)).toMatchObject({ state: 'cancelled', version: 3 });
    // A socket that joins a finished session gets its state and is closed at once.
    const late = await connect({ id: login.id, secret: login.secret });
    expect(await waitForState(late)).toMatchObject({ state: 'cancelled', version: 3 });
    await waitFor(() => late.disconnected);
    expect(late.active).toBe(false); // closed by the server: the client does not reconnect by itself
  });

  test('redeem ignores its arguments: a socket cannot redeem another session', async () => {
    const mine = await createLogin(server.url);
    const theirs = await confirmedLogin(server.url, 'ben');
    const socket = await connect({ id: mine.id, secret: mine.secret });
    const ack = await redeemAck(socket, { id: theirs.id, secret: theirs.secret });
    expect(ack).toEqual({ error: 'authorization_pending', message: expect.any(String) });
    expect(await readSession(server.url, theirs)).toMatchObject({ state: 'confirmed', version: 3 });
  });

  test('unknown events and a redeem without ack are ignored; the socket keeps working', async () => {
    const login = await confirmedLogin(server.url, 'ana');
    const socket = await connect({ id: login.id, secret: login.secret });
    await waitForState(socket);
    const unknownAck = jest.fn();
    socket.emit('hello', { id: login.id }, unknownAck);
    socket.emit('state', { id: login.id, state: 'redeemed', version: 99 });
    socket.emit('redeem');
    socket.emit('redeem', { no: 'ack' });
    // Packets are handled in order: once this ack arrives the ones before were seen and ignored.
    const closed = nextDisconnect(socket);
    const ack = await redeemAck(socket);
    expect(ack.tokenType).toBe('Bearer');
    // It worked to the end: the token, then `redeemed`, then the server closed it.
    expect(await closed).toBe('io server disconnect');
    expect(statesOf(socket).map((s) => s.state)).toEqual(['confirmed', 'redeemed']);
    expect(unknownAck).not.toHaveBeenCalled();
    expect(await readSession(server.url, login)).toMatchObject({ state: 'redeemed', version: 4 });
  });
});
