/**
 * Pushes between nodes are hints. A node whose Socket.IO adapter subscriber
 * lost its connection misses what other nodes published meanwhile, and the
 * keyspace echo of their writes is skipped on purpose (server/redis/keyspace.ts):
 * so when the subscriber is back, the node re-reads every session its
 * browsers wait on, and the browser still gets the change.
 *
 * Node A reaches Redis through a proxy that can hold new connections (its
 * subscriber cannot come back until the test lets it); node B talks to Redis
 * directly and writes the confirm while A is deaf.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import type { Socket } from 'socket.io-client';
import { closeBrowsers, connectBrowser, createLogin, mobile, statesOf, waitForState } from './support/client';
import { startRedis, type RedisProcess } from './support/redis-server';
import { startTestServer, type TestServer } from './support/server';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy';

let redis: RedisProcess;
let admin: Redis;
let proxy: TcpProxy;
let a: TestServer;
let b: TestServer;
const sockets: Socket[] = [];

beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url);
  proxy = await startTcpProxy(redis.port);
  const prefix = `test:${randomBytes(4).toString('hex')}:`;
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

/** Drops the adapter subscribers of every node (the keyspace subscribers, which hold no channel, stay); returns how many. */
async function dropAdapterSubscribers(): Promise<number> {
  const list = (await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
  const ids = [...list.matchAll(/^id=(\d+) .* sub=(\d+) /gm)].filter((m) => Number(m[2]) > 0).map((m) => m[1] as string);
  for (const id of ids) await admin.client('KILL', 'ID', id);
  return ids.length;
}

test('a confirm published while a node could not hear reaches its browser once its subscriber is back', async () => {
  const login = await createLogin(a.url);
  const socket = await connectBrowser(a.url, { id: login.id, secret: login.secret });
  sockets.push(socket);
  await waitForState(socket);
  expect((await mobile(b.url, 'scan', 'ana', { id: login.id, code: login.code })).status).toBe(200);
  await waitForState(socket, (s) => s.state === 'scanned');

  const release = proxy.holdNewConnections();
  try {
    expect(await dropAdapterSubscribers()).toBe(2);
    expect((await mobile(b.url, 'confirm', 'ana', { id: login.id, code: login.code })).status).toBe(200);
    await sleep(500);
    // Missed: A heard neither B's PUBLISH nor (skipped) the keyspace echo of B's write.
    expect(statesOf(socket).map((s) => s.state)).not.toContain('confirmed');
  } finally {
    release();
  }
  expect(await waitForState(socket, (s) => s.state === 'confirmed', 10000)).toMatchObject({ version: 3, user: { id: 'ana' } });
  expect(await socket.timeout(5000).emitWithAck('redeem')).toMatchObject({ tokenType: 'Bearer', user: { id: 'ana' } });
});
