import { randomBytes, randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { appToken, call, connectBrowser, createLogin, mobile } from './support/client';
import { startRedis } from './support/redis-server';
import { startTestServer, type StoreKind, type TestServer } from './support/server';

const forwardedFor = (ip: string) => ({ 'x-forwarded-for': ip });
const LOW_LIMITS = {
  RATE_LIMIT_CREATE_PER_IP: '3',
  RATE_LIMIT_MOBILE_PER_IP: '6',
  RATE_LIMIT_MOBILE_PER_USER: '3',
  RATE_LIMIT_SESSION_READS: '4',
  RATE_LIMIT_HANDSHAKES_PER_IP: '2',
  RATE_LIMIT_WINDOW_SECONDS: '60',
};

function expectRateLimited(res: { status: number; body: any; headers: Headers }): void {
  expect(res.status).toBe(429);
  expect(res.body).toEqual({ error: 'rate_limited', message: expect.any(String) });
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

describe('rate limits while Redis is away', () => {
  test('each node keeps counting in memory: no 429s lifted, no errors added, answers stay quick', async () => {
    const redis = await startRedis();
    const server = await startTestServer({ env: { ...LOW_LIMITS, RATE_LIMIT_BROWSER_PER_IP: '3', REDIS_URL: redis.url } });
    const read = () => call(server.url, 'GET', `/api/login-sessions/${randomUUID()}`, { headers: { 'x-login-secret': 'x'.repeat(43) } });
    try {
      await redis.stop();
      for (let i = 0; i < 3; i++) expect((await read()).body.error).toBe('unavailable');
      expectRateLimited(await read());
    } finally {
      await server.close();
      await redis.stop();
    }
  });

  test('a creation is counted in its session\'s own write (one Redis): with Redis away it answers unavailable, as the write cannot happen', async () => {
    const redis = await startRedis();
    const server = await startTestServer({ env: { ...LOW_LIMITS, REDIS_URL: redis.url } });
    try {
      await createLogin(server.url);
      await redis.stop();
      for (let i = 0; i < 4; i++) expect((await call(server.url, 'POST', '/api/login-sessions')).body.error).toBe('unavailable');
    } finally {
      await server.close();
      await redis.stop();
    }
  });
});

describe.each<StoreKind>(['redis', 'memory'])('rate limits (%s store, TRUST_PROXY on)', (store) => {
  let server: TestServer;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    server = await startTestServer({ store, env: { ...LOW_LIMITS, TRUST_PROXY: '1' } });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server.close();
  });

  test('session creation is limited per client IP with 429 rate_limited and Retry-After', async () => {
    for (let i = 0; i < 3; i++) await createLogin(server.url, forwardedFor('203.0.113.1'));
    const over = await call(server.url, 'POST', '/api/login-sessions', { headers: forwardedFor('203.0.113.1') });
    expectRateLimited(over);
    // Another client is not affected.
    expect((await call(server.url, 'POST', '/api/login-sessions', { headers: forwardedFor('203.0.113.2') })).status).toBe(201);
  });

  test('only the last X-Forwarded-For hop counts: a client cannot dodge the limit by prepending addresses', async () => {
    for (let i = 0; i < 3; i++) {
      await createLogin(server.url, forwardedFor(`10.9.9.${i}, 203.0.113.3`));
    }
    expectRateLimited(await call(server.url, 'POST', '/api/login-sessions', { headers: forwardedFor('10.1.1.1, 203.0.113.3') }));
  });

  test('mobile calls are limited per user, whichever IP they come from', async () => {
    const login = await createLogin(server.url, forwardedFor('203.0.113.4'));
    const body = { id: login.id, code: 'wrong-code' };
    for (let i = 0; i < 3; i++) {
      const res = await call(server.url, 'POST', '/api/mobile/cancel', {
        body,
        headers: { ...forwardedFor(`198.51.100.${i}`), authorization: `Bearer ${appToken('greedy')}` },
      });
      expect(res.body.error).toBe('invalid_code');
    }
    const over = await call(server.url, 'POST', '/api/mobile/scan', {
      body,
      headers: { ...forwardedFor('198.51.100.9'), authorization: `Bearer ${appToken('greedy')}` },
    });
    expectRateLimited(over);
    // Another user is still served.
    expect((await mobile(server.url, 'scan', 'ana', { id: login.id, code: login.code })).status).toBe(200);
  });

  test('mobile calls are limited per IP before the token is even checked', async () => {
    const headers = { ...forwardedFor('198.51.100.50'), authorization: 'Bearer not.a.token' };
    for (let i = 0; i < 6; i++) {
      expect((await call(server.url, 'POST', '/api/mobile/scan', { body: {}, headers })).status).toBe(401);
    }
    expectRateLimited(await call(server.url, 'POST', '/api/mobile/scan', { body: {}, headers }));
  });

  test('polls, QR images and redeems are limited per session and client', async () => {
    const login = await createLogin(server.url, forwardedFor('203.0.113.6'));
    const headers = { ...forwardedFor('203.0.113.6'), 'x-login-secret': login.secret };
    expect((await call(server.url, 'GET', `/api/login-sessions/${login.id}`, { headers })).status).toBe(200);
    expect((await call(server.url, 'GET', `/api/login-sessions/${login.id}/qr.svg`, { headers })).status).toBe(200);
    expect((await call(server.url, 'GET', `/api/login-sessions/${login.id}/qr.png`, { headers })).status).toBe(200);
    expect((await call(server.url, 'POST', `/api/login-sessions/${login.id}/redeem`, { headers })).body.error).toBe('authorization_pending');
    expectRateLimited(await call(server.url, 'GET', `/api/login-sessions/${login.id}`, { headers }));
    // Someone else who saw the QR (so knows the id) has a budget of their own and cannot starve the browser's.
    const other = await call(server.url, 'GET', `/api/login-sessions/${login.id}`, { headers: forwardedFor('192.0.2.1') });
    expect(other.body.error).toBe('not_found');
  });

  test('socket redeems count against the same per-session budget and are refused with a rate_limited ack', async () => {
    const login = await createLogin(server.url);
    const socket = await connectBrowser(server.url, { id: login.id, secret: login.secret }, ['websocket'], { extraHeaders: forwardedFor('203.0.113.11') });
    sockets.push(socket);
    for (let i = 0; i < 4; i++) expect((await socket.timeout(5000).emitWithAck('redeem')).error).toBe('authorization_pending');
    expect(await socket.timeout(5000).emitWithAck('redeem')).toEqual({ error: 'rate_limited', message: expect.any(String) });
  });

  test('socket handshakes are limited per IP (X-Forwarded-For believed) and refused with rate_limited', async () => {
    const login = await createLogin(server.url, forwardedFor('203.0.113.7'));
    const auth = { id: login.id, secret: login.secret };
    const extraHeaders = forwardedFor('203.0.113.7');
    for (let i = 0; i < 2; i++) sockets.push(await connectBrowser(server.url, auth, ['websocket', 'polling'], { extraHeaders }));
    const refused = await connectBrowser(server.url, auth, ['polling'], { extraHeaders }).catch((err) => err);
    expect(refused).toBeInstanceOf(Error);
    expect(refused.message).toBe('rate_limited');
    expect(refused.data.retryAfter).toBeGreaterThanOrEqual(1);
    sockets.push(await connectBrowser(server.url, auth, ['polling'], { extraHeaders: forwardedFor('203.0.113.8') }));
  });

  test('the phone is shown the browser IP from X-Forwarded-For, and sameNetwork compares it with its own', async () => {
    const login = await createLogin(server.url, forwardedFor('203.0.113.9'));
    const scan = await call(server.url, 'POST', '/api/mobile/scan', {
      body: { qr: login.qr.content },
      headers: { ...forwardedFor('203.0.113.77'), authorization: `Bearer ${appToken('eve')}` },
    });
    expect(scan.body.request).toMatchObject({ ip: '203.0.113.9', sameNetwork: true });
  });
});

describe('TRUST_PROXY_HOPS=2 (a CDN in front of the load balancer)', () => {
  let server: TestServer;
  let socket: Socket | undefined;
  beforeAll(async () => {
    server = await startTestServer({ store: 'memory', env: { ...LOW_LIMITS, TRUST_PROXY: '1', TRUST_PROXY_HOPS: '2' } });
  });
  afterAll(async () => {
    socket?.close();
    await server.close();
  });

  test('the client is the second hop from the end, for HTTP limits, the phone and socket handshakes alike', async () => {
    const chain = (client: string) => forwardedFor(`10.6.6.6, ${client}, 192.0.2.50`);
    const login = await createLogin(server.url, chain('203.0.113.30'));
    for (let i = 0; i < 2; i++) await createLogin(server.url, chain('203.0.113.30'));
    expectRateLimited(await call(server.url, 'POST', '/api/login-sessions', { headers: chain('203.0.113.30') }));
    const scan = await call(server.url, 'POST', '/api/mobile/scan', {
      body: { qr: login.qr.content },
      headers: { ...chain('203.0.113.31'), authorization: `Bearer ${appToken('ana')}` },
    });
    expect(scan.body.request).toMatchObject({ ip: '203.0.113.30', sameNetwork: true });
    const auth = { id: login.id, secret: login.secret };
    for (let i = 0; i < 2; i++) (await connectBrowser(server.url, auth, ['polling'], { extraHeaders: chain('203.0.113.32') })).close();
    const refused = await connectBrowser(server.url, auth, ['polling'], { extraHeaders: chain('203.0.113.32') }).catch((err: Error) => err);
    expect((refused as Error).message).toBe('rate_limited');
    socket = await connectBrowser(server.url, auth, ['polling'], { extraHeaders: chain('203.0.113.33') });
  });
});

describe('rate limits with TRUST_PROXY off', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: 'memory', env: { ...LOW_LIMITS } });
  });
  afterAll(() => server.close());

  test('X-Forwarded-For is ignored: rotating it does not escape the limit, and the phone sees the real peer', async () => {
    const first = await createLogin(server.url, forwardedFor('203.0.113.1'));
    for (let i = 2; i < 4; i++) await createLogin(server.url, forwardedFor(`203.0.113.${i}`));
    expectRateLimited(await call(server.url, 'POST', '/api/login-sessions', { headers: forwardedFor('203.0.113.99') }));
    const scan = await call(server.url, 'POST', '/api/mobile/scan', {
      body: { qr: first.qr.content },
      headers: { ...forwardedFor('198.51.100.1'), authorization: `Bearer ${appToken('ana')}` },
    });
    expect(scan.body.request).toMatchObject({ ip: '127.0.0.1', sameNetwork: true });
  });
});

describe('rate limits on Redis are shared by the nodes', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    const env = { ...LOW_LIMITS, REDIS_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}:` };
    [a, b] = await Promise.all([startTestServer({ env }), startTestServer({ env })]);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  test('creations on two nodes count against one budget', async () => {
    await createLogin(a.url);
    await createLogin(b.url);
    await createLogin(a.url);
    expectRateLimited(await call(b.url, 'POST', '/api/login-sessions'));
  });
});

describe('default limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { RATE_LIMITS: '0', RATE_LIMIT_CREATE_PER_IP: '1' } });
  });
  afterAll(() => server.close());

  test('RATE_LIMITS=0 turns every limit off', async () => {
    for (let i = 0; i < 3; i++) await createLogin(server.url);
  });
});
