/**
 * Pushes between nodes are hints. A node whose subscriber connections lost
 * their connection misses what other nodes published meanwhile on its
 * sessions' channels, and the keyspace echo of their writes is skipped on
 * purpose (server/redis/keyspace.ts): so when the subscribers are back, the
 * node subscribes again to every session its listeners wait on and re-reads
 * them, and the browser (socket or long poll) still gets the change.
 *
 * Node A reaches Redis through a proxy that can hold new connections (its
 * subscriber cannot come back until the test lets it); node B talks to Redis
 * directly and writes the confirm while A is deaf.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import type { Socket } from 'socket.io-client';
import { call, closeBrowsers, connectBrowser, createLogin, mobile, redeemHttp, secretHeader, statesOf, waitForState } from './support/client';
import { waitFor } from './support/expect';
import { startRedis, type RedisProcess } from './support/redis-server';
import { startTestServer, type TestServer } from './support/server';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy';

let redis: RedisProcess;
let admin: Redis;
let proxy: TcpProxy;
let a: TestServer;
let b: TestServer;
let prefix: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url);
  proxy = await startTcpProxy(redis.port);
  prefix = `test:${randomBytes(4).toString('hex')}:`;
  a = await startTestServer({ env: { REDIS_URL: `redis://127.0.0.1:${proxy.port}`, REDIS_KEY_PREFIX: prefix } });
  b = await startTestServer({ env: { REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix } });
});
afterAll(async () => {
  if (a) await closeBrowsers(sockets, a);
  await a?.close();
  await b?.close();
  await proxy?.close();
  admin?.disconnect();
  await redis?.stop();
});

/** Drops every subscriber connection that holds a subscription; returns how many. */
async function dropSubscribers(): Promise<number> {
  const list = (await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
  const ids = [...list.matchAll(/^id=(\d+) .* sub=(\d+) /gm)].filter((m) => Number(m[2]) > 0).map((m) => m[1] as string);
  for (const id of ids) await admin.client('KILL', 'ID', id);
  return ids.length;
}

/** Subscribers of a (classic) channel right now. */
async function subscribers(channel: string): Promise<number> {
  return Number(((await admin.pubsub('NUMSUB', channel)) as [string, number])[1]);
}

test('a node whose subscribers reconnect subscribes again and re-reads: its socket and long poll get the confirm they missed, and later changes', async () => {
  const login = await createLogin(a.url);
  const channel = `${prefix}changes:{${login.id}}`;
  const socket = await connectBrowser(a.url, { id: login.id, secret: login.secret });
  sockets.push(socket);
  await waitForState(socket);
  expect((await mobile(b.url, 'scan', 'ana', { id: login.id, code: login.code })).status).toBe(200);
  await waitForState(socket, (s) => s.state === 'scanned');
  expect(await subscribers(channel)).toBe(1);
  // A long poll on A waits for anything after `scanned`.
  const longPoll = call(a.url, 'GET', `/api/login-sessions/${login.id}?after=2&waitMs=20000`, { headers: secretHeader(login) });

  const release = proxy.holdNewConnections();
  try {
    // A's changes and keyspace subscribers; B waits on nothing and subscribes to nothing.
    expect(await dropSubscribers()).toBe(2);
    expect(await subscribers(channel)).toBe(0);
    expect((await mobile(b.url, 'confirm', 'ana', { id: login.id, code: login.code })).status).toBe(200);
    await sleep(500);
    // Missed: A heard neither B's PUBLISH nor (skipped) the keyspace echo of B's write.
    expect(statesOf(socket).map((s) => s.state)).not.toContain('confirmed');
  } finally {
    release();
  }
  // Back: the re-read delivers the missed confirm to both listeners...
  expect(await waitForState(socket, (s) => s.state === 'confirmed', 10000)).toMatchObject({ version: 3, user: { id: 'ana' } });
  expect((await longPoll).body).toMatchObject({ state: 'confirmed', version: 3 });
  // ...and A is on the session's channel again: B's redeem reaches A's socket through it
  // (nothing else would tell A: the keyspace echo of B's write is skipped).
  await waitFor(async () => (await subscribers(channel)) === 1);
  expect((await redeemHttp(b.url, login)).status).toBe(200);
  expect(await waitForState(socket, (s) => s.state === 'redeemed', 10000)).toMatchObject({ version: 4 });
  expect(statesOf(socket).map((s) => s.version)).toEqual([1, 2, 3, 4]);
});
