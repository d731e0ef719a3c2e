import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import type { Socket } from 'socket.io-client';
import { call, connectBrowser, createLogin, mobile, nextDisconnect, waitForState, type CreatedLogin } from './support/client';
import { eventually, killConnections, readyStatus, subscriptions, timed } from './support/faults';
import { startNodes, stopNodes, type NodeProcess } from './support/node-process';
import { startRedis, type RedisProcess } from './support/redis-server';

/** How fast a call must be refused while Redis is away or hung (commandTimeout is 2 s). */
const QUICK_MS = 2500;

/**
 * Redis and nodes fail while logins are in flight: two `npm start` nodes on a
 * Redis of this test's own, with an append-only file so a restart keeps the data.
 */
describe('faults: Redis and nodes failing mid-flow', () => {
  const redisArgs = ['--appendonly', 'yes', '--dir', mkdtempSync(join(tmpdir(), 'qrlogin-faults-'))];
  let redis: RedisProcess;
  let a: NodeProcess;
  let b: NodeProcess;
  const sockets: Socket[] = [];
  const browser = async (node: NodeProcess, login: CreatedLogin) => {
    const socket = await connectBrowser(node.url, { id: login.id, secret: login.secret });
    sockets.push(socket);
    return socket;
  };
  const bothReady = (status: number) =>
    eventually(`both nodes answer /readyz ${status}`, async () => (await readyStatus(a.url)) === status && (await readyStatus(b.url)) === status);
  /**
   * The node holding a browser subscribes to that session's changes channel and
   * its two keys' keyspace channels: once those are back after a lost connection,
   * the node has re-subscribed (and re-read what its browser waits on).
   */
  const PER_WATCHED_SESSION = 3;
  const resubscribed = (channels: number) =>
    eventually('the session and keyspace subscriptions are back', async () => (await subscriptions(redis.url)).channels >= channels);
  /** Confirms on `phoneNode` and redeems over the browser's socket: the end of every flow here. */
  const finish = async (login: CreatedLogin, socket: Socket, phoneNode: NodeProcess) => {
    expect((await mobile(phoneNode.url, 'confirm', 'ana', { id: login.id, code: login.code })).status).toBe(200);
    await waitForState(socket, (s) => s.state === 'confirmed', 10000);
    const ack = await socket.timeout(5000).emitWithAck('redeem');
    expect(ack).toMatchObject({ tokenType: 'Bearer', user: { id: 'ana' } });
    const me = await call(phoneNode.url, 'GET', '/api/me', { headers: { authorization: `Bearer ${ack.token}` } });
    expect(me.body).toEqual({ user: { id: 'ana', displayName: 'ANA' }, sid: login.id });
  };

  beforeAll(async () => {
    redis = await startRedis(redisArgs);
    [a, b] = (await startNodes(2, { REDIS_URL: redis.url, PUBLIC_URL: 'https://login.example.test' })) as [NodeProcess, NodeProcess];
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });
  afterAll(async () => {
    await stopNodes([a, b]);
    await redis.stop();
  });

  test('nodes nobody waits on subscribe to nothing; a browser makes its node subscribe to its session only, never a pattern', async () => {
    expect(await subscriptions(redis.url)).toEqual({ patterns: 0, channels: 0 });
    const login = await createLogin(a.url);
    const socket = await browser(a, login);
    await waitForState(socket, (s) => s.version === 1);
    expect(await subscriptions(redis.url)).toEqual({ patterns: 0, channels: PER_WATCHED_SESSION });
    socket.close();
    await eventually('the node left the channels', async () => (await subscriptions(redis.url)).channels === 0);
  });

  test('Redis drops every connection (CLIENT KILL normal and pubsub): nodes reconnect, re-subscribe, and the login completes', async () => {
    const login = await createLogin(a.url);
    const socket = await browser(a, login);
    await waitForState(socket, (s) => s.version === 1);

    // A's session and keyspace subscribers, and each node's Socket.IO adapter
    // subscriber (its namespaces' channels only; B, idle, subscribes to no session).
    expect(await killConnections(redis.url, 'pubsub')).toBe(4);
    expect(await killConnections(redis.url, 'normal')).toBeGreaterThanOrEqual(2);
    await bothReady(200);
    await resubscribed(PER_WATCHED_SESSION);

    // Scan on B reaches the browser on A through A's re-subscribed session channel.
    expect((await mobile(b.url, 'scan', 'ana', { id: login.id, code: login.code })).status).toBe(200);
    await waitForState(socket, (s) => s.state === 'scanned');
    await finish(login, socket, b);
  });

  test('Redis restarted mid-flow: calls answer 503 quickly meanwhile, /readyz 503 then 200, and the pending login completes', async () => {
    const login = await createLogin(a.url);
    const socket = await browser(a, login);
    expect((await mobile(b.url, 'scan', 'ana', { id: login.id, code: login.code })).status).toBe(200);
    await waitForState(socket, (s) => s.state === 'scanned');

    await redis.stop(); // SIGTERM: the append-only file is flushed
    await bothReady(503);
    const whileDown = [
      () => call(a.url, 'POST', '/api/login-sessions'),
      () => call(a.url, 'GET', `/api/login-sessions/${login.id}`, { headers: { 'x-login-secret': login.secret } }),
      () => mobile(b.url, 'confirm', 'ana', { id: login.id, code: login.code }),
      () => call(b.url, 'POST', `/api/login-sessions/${login.id}/redeem`, { headers: { 'x-login-secret': login.secret } }),
      () => call(b.url, 'GET', '/readyz'),
    ];
    for (const request of whileDown) {
      const { value, ms } = await timed(request);
      expect({ status: value.status, error: value.body.error }).toEqual({ status: 503, error: 'unavailable' });
      expect(ms).toBeLessThan(QUICK_MS);
    }
    const handshake = await timed(() => connectBrowser(b.url, { id: login.id, secret: login.secret }).catch((err: Error) => err));
    expect((handshake.value as Error).message).toBe('unavailable');
    expect(handshake.ms).toBeLessThan(QUICK_MS);

    redis = await startRedis(redisArgs, redis.port);
    await bothReady(200);
    await resubscribed(PER_WATCHED_SESSION);
    // The restarted Redis forgot CONFIG SET: the keyspace listener must have turned its events back on.
    await eventually('keyspace notifications are enabled again', async () => {
      const admin = new Redis(redis.url);
      const [, flags] = (await admin.config('GET', 'notify-keyspace-events')) as [string, string];
      admin.disconnect();
      return ['K', 'h', 'x'].every((flag) => flags.includes(flag));
    });
    await finish(login, socket, b);
  });

  test('Redis hung (SIGSTOP): calls answer 503 within the command timeout instead of hanging, and recover after', async () => {
    redis.process.kill('SIGSTOP');
    try {
      for (const request of [() => call(a.url, 'POST', '/api/login-sessions'), () => call(b.url, 'GET', '/readyz')]) {
        const { value, ms } = await timed(request);
        expect({ status: value.status, error: value.body.error }).toEqual({ status: 503, error: 'unavailable' });
        expect(ms).toBeLessThan(QUICK_MS);
      }
    } finally {
      redis.process.kill('SIGCONT');
    }
    await bothReady(200);
    const login = await createLogin(b.url);
    const socket = await browser(a, login);
    expect((await mobile(a.url, 'scan', 'ana', { id: login.id, code: login.code })).status).toBe(200);
    await finish(login, socket, b);
  });

  test('a node killed mid-flow: its browser reconnects to the other node, re-reads the state and completes', async () => {
    const login = await createLogin(a.url);
    const first = await browser(a, login);
    expect((await mobile(b.url, 'scan', 'ana', { id: login.id, code: login.code })).status).toBe(200);
    await waitForState(first, (s) => s.state === 'scanned');

    const lost = nextDisconnect(first);
    await a.stop('SIGKILL');
    await lost;
    const second = await browser(b, login);
    // The first thing the new node sends is the state read from Redis: nothing was lost with node A.
    expect(await waitForState(second, () => true)).toMatchObject({ id: login.id, state: 'scanned', version: 2, user: { id: 'ana' } });
    await finish(login, second, b);
  });
});
