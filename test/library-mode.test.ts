/**
 * What a site gets from createQrLogin() in code: camelCase options checked like
 * the environment, its own store, an async describeUser, events once per change
 * in the whole cluster, and one audit line per login.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'socket.io-client';
import { ConfigError, createQrLogin, MemoryStore, type QrLogin, type QrLoginEvent, type QrLoginOptions } from '../server';
import { configFromOptions } from '../server/options';
import { createLogger } from '../server/log';
import { call, connectBrowser, createLogin, mobile, waitForState } from './support/client';
import { TEST_APP_SECRET, TEST_WEB_SECRET } from './support/server';
import { waitFor } from './support/wait';

interface Node {
  url: string;
  qrlogin: QrLogin;
  events: QrLoginEvent[];
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/** A node in library mode on a free port, recording its events and its log lines. */
async function startNode(options: Partial<QrLoginOptions> = {}): Promise<Node> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const logs: Record<string, unknown>[] = [];
  const qrlogin = await createQrLogin({
    publicUrl: url,
    mobileJwt: { secret: TEST_APP_SECRET },
    webJwt: { secret: TEST_WEB_SECRET },
    logger: createLogger('info', { write: (line: string) => void logs.push(JSON.parse(line)) }),
    ...options,
  });
  const events: QrLoginEvent[] = [];
  for (const name of ['scanned', 'confirmed', 'cancelled', 'redeemed'] as const) qrlogin.on(name, (e) => events.push(e));
  server.on('request', qrlogin.handle);
  await qrlogin.attach(server);
  return {
    url,
    qrlogin,
    events,
    logs,
    async close() {
      await qrlogin.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('camelCase options', () => {
  test('each option lands on its setting, validated like the environment', () => {
    const config = configFromOptions({
      publicUrl: 'https://login.example',
      basePath: '/auth',
      redis: { url: 'redis://127.0.0.1:6390', keyPrefix: 'site:' },
      mobileJwt: { secret: 'app-secret-0123456789abcdef0123456789' },
      webJwt: { secret: 'web-secret-0123456789abcdef0123456789', ttlSeconds: 600 },
      qrTtlSeconds: 30,
      confirmWindowSeconds: 20,
      pollIntervalMs: 500,
      corsOrigins: ['https://shop.example'],
      trustProxy: 2,
      rateLimits: { createPerIp: 5, windowSeconds: 10 },
      demo: false,
      logLevel: 'warn',
      settings: { SITE_NAME: 'Shop' },
    });
    expect(config).toMatchObject({
      publicUrl: 'https://login.example', BASE_PATH: '/auth', REDIS_URL: 'redis://127.0.0.1:6390', REDIS_KEY_PREFIX: 'site:',
      MOBILE_JWT_SECRET: 'app-secret-0123456789abcdef0123456789', WEB_JWT_SECRET: 'web-secret-0123456789abcdef0123456789',
      WEB_TOKEN_TTL_SECONDS: 600, QR_TTL_SECONDS: 30, CONFIRM_WINDOW_SECONDS: 20, POLL_INTERVAL_MS: 500,
      CORS_ORIGINS: ['https://shop.example'], TRUST_PROXY: true, TRUST_PROXY_HOPS: 2,
      RATE_LIMITS: true, RATE_LIMIT_CREATE_PER_IP: 5, RATE_LIMIT_WINDOW_SECONDS: 10, demo: false, LOG_LEVEL: 'warn', siteName: 'Shop',
    });
    expect(configFromOptions({ rateLimits: false, trustProxy: false }).RATE_LIMITS).toBe(false);
    // Nothing set: the defaults, and nothing read from the process environment.
    process.env.QR_TTL_SECONDS = '7';
    try {
      expect(configFromOptions({}).QR_TTL_SECONDS).toBe(60);
    } finally {
      delete process.env.QR_TTL_SECONDS;
    }
  });

  test('a bad value names the option and its variable', () => {
    expect(() => configFromOptions({ qrTtlSeconds: -1 })).toThrow(ConfigError);
    expect(() => configFromOptions({ qrTtlSeconds: -1 })).toThrow(/^Invalid option qrTtlSeconds \(QR_TTL_SECONDS\): /);
    expect(() => configFromOptions({ webJwt: { kid: 'k1' } })).toThrow(/^Invalid option webJwt\.kid \(WEB_JWT_KID\): only applies/);
  });
});

describe('two nodes on one Redis, in library mode', () => {
  let a: Node;
  let b: Node;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // A describeUser that looks the user up, as a site would in its database.
    const names: Record<string, string> = { ana: 'Ana from the DB' };
    const describeUser = async (claims: { sub: string }) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { id: claims.sub, displayName: names[claims.sub] ?? claims.sub };
    };
    const redis = { url: process.env.TEST_REDIS_URL as string, keyPrefix: `test:${randomBytes(4).toString('hex')}:` };
    a = await startNode({ redis, describeUser });
    b = await startNode({ redis, describeUser });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await a?.close();
    await b?.close();
  });

  test('each change is one event in the cluster, on the node that made it; one audit line per login, with no secret', async () => {
    const login = await createLogin(a.url, { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36' });
    const socket = await connectBrowser(a.url, { id: login.id, secret: login.secret }, ['websocket'], {
      extraHeaders: { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36' },
    });
    sockets.push(socket);
    await waitForState(socket);
    expect((await mobile(b.url, 'scan', 'ana', { id: login.id, code: login.code })).status).toBe(200);
    const scanned = await waitForState(socket, (s) => s.state === 'scanned');
    expect(scanned.user).toEqual({ id: 'ana', displayName: 'Ana from the DB' });
    expect((await mobile(b.url, 'confirm', 'ana', { id: login.id, code: login.code })).status).toBe(200);
    await waitForState(socket, (s) => s.state === 'confirmed');
    const redeemed = await socket.timeout(5000).emitWithAck('redeem');
    expect(redeemed.token).toEqual(expect.any(String));
    // The browser's node learns of its own redeem at once; B would have heard by now of any event A emitted.
    await waitFor(() => a.events.length === 1);
    await waitForState(socket, (s) => s.state === 'redeemed');

    expect(b.events.map((e) => [e.type, e.sessionId, e.version, e.user?.id])).toEqual([
      ['scanned', login.id, 2, 'ana'],
      ['confirmed', login.id, 3, 'ana'],
    ]);
    expect(a.events.map((e) => [e.type, e.sessionId, e.version, e.user?.id])).toEqual([['redeemed', login.id, 4, 'ana']]);
    expect(a.events[0]).toMatchObject({ ip: '127.0.0.1', browser: 'Chrome 131 on Windows', at: expect.any(Date) });
    // Each event names the request that made it: the phone's scan and confirm, the browser's redeem.
    expect(b.events.map((e) => e.ip)).toEqual(['127.0.0.1', '127.0.0.1']);

    const audit = [...a.logs, ...b.logs].filter((line) => line.audit === 'login');
    expect(audit).toEqual([
      expect.objectContaining({ level: 30, msg: 'login', userId: 'ana', sessionId: login.id, ip: '127.0.0.1', browser: 'Chrome 131 on Windows' }),
    ]);
    const everything = JSON.stringify([...a.logs, ...b.logs]);
    for (const secret of [login.secret, login.code, redeemed.token]) expect(everything).not.toContain(secret);
  });

  test('a cancel is one event, on the node the phone called; a listener that throws breaks nothing', async () => {
    const throwing = () => {
      throw new Error('listener bug');
    };
    b.qrlogin.on('cancelled', throwing);
    try {
      const before = { a: a.events.length, b: b.events.length };
      const login = await createLogin(a.url);
      expect((await mobile(b.url, 'scan', 'ben', { id: login.id, code: login.code })).status).toBe(200);
      expect((await mobile(b.url, 'cancel', 'ben', { id: login.id, code: login.code })).status).toBe(200);
      expect(b.events.slice(before.b).map((e) => e.type)).toEqual(['scanned', 'cancelled']);
      expect(a.events.length).toBe(before.a);
      expect(b.logs.some((line) => line.msg === 'a qrlogin event listener threw')).toBe(true);
      const read = await call(a.url, 'GET', `/api/login-sessions/${login.id}`, { headers: { 'x-login-secret': login.secret } });
      expect(read.body).toMatchObject({ state: 'cancelled' });
    } finally {
      b.qrlogin.off('cancelled', throwing);
    }
  });
});

test('a store of the site: sessions live there', async () => {
  const store = new MemoryStore();
  const node = await startNode({ store });
  try {
    const login = await createLogin(node.url);
    expect(await store.find(login.id)).toMatchObject({ id: login.id, state: 'pending', version: 1 });
    expect((await mobile(node.url, 'scan', 'ana', { id: login.id, code: login.code })).status).toBe(200);
    expect((await store.find(login.id))?.state).toBe('scanned');
  } finally {
    await node.close();
    await store.close();
  }
});
