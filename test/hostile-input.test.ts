import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import type { SessionRecord } from '../server/session/types';
import { call, connectBrowser, createLogin, mobile, waitForState, type CreatedLogin } from './support/client';
import { hostileRequests, sendRaw, type Fixtures } from './support/hostile-corpus';
import { endRedeliveryWindow } from './support/redelivery';
import { startTestServer, type TestServer } from './support/server';

const PREFIX = `test:${randomBytes(4).toString('hex')}:`;

describe('a corpus of hostile input', () => {
  let server: TestServer;
  let redis: Redis;
  let fixtures: Fixtures;
  let before: Map<string, SessionRecord | null>;
  let sessionKeysBefore: number;
  const sockets: Socket[] = [];

  const sessionKeys = async () => (await redis.keys(`${PREFIX}session:*`)).length;
  const records = async () => new Map(await Promise.all(Object.values(fixtures).map(async (s: CreatedLogin) => [s.id, await server.qrlogin.store.find(s.id)] as const)));

  beforeAll(async () => {
    // Per-user limits are raised: the corpus sends a few hundred calls as `ana` on purpose.
    server = await startTestServer({ env: { REDIS_KEY_PREFIX: PREFIX, RATE_LIMIT_MOBILE_PER_USER: '100000', RATE_LIMIT_MOBILE_PER_IP: '100000' } });
    redis = new Redis(process.env.TEST_REDIS_URL as string);
    const make = async (steps: ('scan' | 'confirm' | 'redeem' | 'cancel')[]) => {
      const login = await createLogin(server.url);
      for (const step of steps) {
        const res =
          step === 'redeem'
            ? await call(server.url, 'POST', `/api/login-sessions/${login.id}/redeem`, { headers: { 'x-login-secret': login.secret } })
            : await mobile(server.url, step, 'ana', { id: login.id, code: login.code });
        if (res.status !== 200) throw new Error(`fixture step ${step} failed: ${JSON.stringify(res.body)}`);
      }
      return login;
    };
    fixtures = {
      pending: await make([]),
      scanned: await make(['scan']),
      confirmed: await make(['scan', 'confirm']),
      redeemed: await make(['scan', 'confirm', 'redeem']),
      cancelled: await make(['cancel']),
    };
    // The redeemed fixture is past its re-delivery window: a replayed redeem is refused, and stays so during the run.
    await endRedeliveryWindow(process.env.TEST_REDIS_URL as string, PREFIX, fixtures.redeemed.id);
    before = await records();
    sessionKeysBefore = await sessionKeys();
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    redis.disconnect();
    await server.close();
  });

  const corpus = () => hostileRequests(fixtures);

  test('has at least 200 hostile HTTP requests across every endpoint', () => {
    const requests = corpus();
    expect(requests.length).toBeGreaterThanOrEqual(200);
    const paths = new Set(requests.map((r) => r.path.replace(/[0-9a-f-]{36}/g, ':id').split('?')[0]));
    for (const path of ['/api/login-sessions', '/api/login-sessions/:id', '/api/login-sessions/:id/redeem', '/api/login-sessions/:id/qr.png', '/api/login-sessions/:id/qr.svg', '/api/mobile/scan', '/api/mobile/confirm', '/api/mobile/cancel', '/api/me']) {
      expect(paths).toContain(path);
    }
  });

  test('every request gets its protocol 4xx JSON error', async () => {
    const wrong: unknown[] = [];
    for (const r of corpus()) {
      const res = await sendRaw(server.url, r);
      const ok =
        res.status === r.expect.status &&
        res.body?.error === r.expect.error &&
        typeof res.body?.message === 'string' &&
        String(res.headers['content-type']).startsWith('application/json');
      if (!ok) wrong.push({ name: r.name, expected: r.expect, got: { status: res.status, body: typeof res.body === 'string' ? res.body.slice(0, 80) : res.body } });
    }
    expect(wrong).toEqual([]);
  });

  test('hostile socket handshakes fail with not_found, and malformed ones without touching the store', async () => {
    const { pending, scanned } = fixtures;
    const malformed: unknown[] = [
      undefined,
      {},
      { id: pending.id },
      { secret: pending.secret },
      { id: 1, secret: 2 },
      { id: [pending.id], secret: pending.secret },
      { id: pending.id.toUpperCase(), secret: pending.secret },
      { id: pending.id, secret: null },
      { id: pending.id, secret: { $ne: '' } },
      { id: pending.id, secret: 'a'.repeat(10_000) },
      { id: `${pending.id}/../x`, secret: pending.secret },
      JSON.parse(`{"__proto__": {"id": "${pending.id}", "secret": "${pending.secret}"}}`),
      { constructor: { prototype: { id: pending.id, secret: pending.secret } } },
    ];
    const wellFormedButWrong = [
      { id: pending.id, secret: 'A'.repeat(43) },
      { id: pending.id, secret: scanned.secret },
      { id: pending.id, secret: pending.code },
      { id: '6f1c2d3e-4b5a-4c6d-8e7f-0123456789ab', secret: pending.secret },
    ];
    const store = server.qrlogin.store;
    const find = store.find.bind(store);
    let finds = 0;
    store.find = (id) => {
      finds++;
      return find(id);
    };
    try {
      for (const auth of malformed) {
        const err = await connectBrowser(server.url, auth).then(() => new Error('connected'), (e: Error) => e);
        expect({ auth, message: err.message }).toEqual({ auth, message: 'not_found' });
      }
      expect(finds).toBe(0);
      for (const auth of wellFormedButWrong) {
        const err = await connectBrowser(server.url, auth, ['polling']).then(() => new Error('connected'), (e: Error) => e);
        expect({ auth, message: err.message }).toEqual({ auth, message: 'not_found' });
      }
    } finally {
      store.find = find;
    }
  });

  test('a socket message over 16 KiB is refused by the transport, and the node carries on', async () => {
    const { pending } = fixtures;
    const huge = io(`${server.url}/login`, { auth: { id: pending.id, secret: 'a'.repeat(100_000) }, transports: ['websocket'], reconnection: false, forceNew: true });
    const outcome = await new Promise<string>((resolve) => {
      huge.once('connect', () => resolve('connected'));
      huge.once('connect_error', () => resolve('refused'));
      huge.io.once('close', (reason) => resolve(reason));
    });
    huge.close();
    expect(outcome).not.toBe('connected');
    const socket = await connectBrowser(server.url, { id: pending.id, secret: pending.secret });
    sockets.push(socket);
    const gone = new Promise((resolve) => socket.once('disconnect', resolve));
    socket.emit('redeem', 'x'.repeat(100_000), () => undefined);
    expect(await gone).toBe('transport close');
    expect((await call(server.url, 'GET', '/healthz')).status).toBe(200);
  });

  test('on a connected socket, unknown events are ignored and redeem payloads cannot point elsewhere', async () => {
    const { pending, confirmed } = fixtures;
    const socket = await connectBrowser(server.url, { id: pending.id, secret: pending.secret });
    sockets.push(socket);
    await waitForState(socket, (s) => s.state === 'pending');
    for (const event of ['scan', 'confirm', 'state', 'cancel', 'join', 'qrlogin:state', '__proto__', 'x'.repeat(1000)]) {
      socket.emit(event, { id: confirmed.id, secret: confirmed.secret, state: 'redeemed' });
    }
    socket.emit('redeem'); // no ack: nobody could receive a token, so nothing happens
    socket.emit('redeem', { id: confirmed.id, secret: confirmed.secret }); // no ack either
    const payloads = [{ id: confirmed.id, secret: confirmed.secret }, 'x', 42, null, ['a'], JSON.parse('{"__proto__":{"id":"x"}}')];
    for (const payload of payloads) {
      const ack = await socket.timeout(5000).emitWithAck('redeem', payload);
      expect(ack).toEqual({ error: 'authorization_pending', message: expect.any(String) });
    }
    expect(socket.connected).toBe(true);
  });

  test('none of it changed a session or created one, and the node is healthy', async () => {
    expect(await records()).toEqual(before);
    expect(await sessionKeys()).toBe(sessionKeysBefore);
    expect((await call(server.url, 'GET', '/healthz')).status).toBe(200);
    expect((await call(server.url, 'GET', '/readyz')).status).toBe(200);
  });

  test('a normal login works afterwards', async () => {
    const login = await createLogin(server.url);
    const socket = await connectBrowser(server.url, { id: login.id, secret: login.secret });
    sockets.push(socket);
    expect((await mobile(server.url, 'scan', 'bob', { qr: login.qr.content })).status).toBe(200);
    expect((await mobile(server.url, 'confirm', 'bob', { id: login.id, code: login.code })).status).toBe(200);
    await waitForState(socket, (s) => s.state === 'confirmed');
    const ack = await socket.timeout(5000).emitWithAck('redeem');
    expect(ack).toMatchObject({ tokenType: 'Bearer', user: { id: 'bob' } });
    expect((await call(server.url, 'GET', '/api/me', { headers: { authorization: `Bearer ${ack.token}` } })).body.user.id).toBe('bob');
  });
});
