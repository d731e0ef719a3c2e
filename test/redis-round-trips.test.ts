/**
 * How many Redis round trips a user waits for before the write that moves the
 * login on. The node talks to Redis through a proxy that holds every reply
 * ROUND_TRIP_MS, so commands go out in waves one round trip apart, and the
 * wave of a command is its send time over that delay (the rest of the work
 * takes well under half of it). The write is the first command carrying the
 * new state.
 *
 * A confirm reads the session alongside the caller's rate limits and token
 * check, then writes: wave 1. A socket's redeem of a session it was pushed as
 * confirmed writes at once: wave 0. Neither reads the session again when the
 * keyspace echo of its own write comes back. A redeem the shortcut does not
 * cover (the session is not confirmed yet) still counts against the
 * per-session limit.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Socket } from 'socket.io-client';
import { closeBrowsers, connectBrowser, createLogin, mobile, waitForState } from './support/client';
import { sameAnswer } from './support/redelivery';
import { startRedis, type RedisProcess } from './support/redis-server';
import { startTestServer, type TestServer } from './support/server';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy';

const ROUND_TRIP_MS = 60;

let redis: RedisProcess;
let proxy: TcpProxy;
let server: TestServer;
/** Every chunk the node sent Redis, with when (performance.now()). */
let sent: { at: number; text: string }[] = [];
const sockets: Socket[] = [];

beforeAll(async () => {
  redis = await startRedis();
  proxy = await startTcpProxy(redis.port, {
    replyDelayMs: ROUND_TRIP_MS,
    onRequest: (chunk) => sent.push({ at: performance.now(), text: chunk.toString('latin1') }),
  });
  server = await startTestServer({ env: { REDIS_URL: `redis://127.0.0.1:${proxy.port}` } });
});
afterAll(async () => {
  if (server) await closeBrowsers(sockets, server);
  await server?.close();
  await proxy?.close();
  await redis?.stop();
});

/** Waits until the node has sent Redis nothing for three round trips (hints and pushes of the last step are done). */
async function quiet(): Promise<void> {
  for (;;) {
    const last = sent.at(-1)?.at ?? 0;
    const idle = performance.now() - last;
    if (idle >= 3 * ROUND_TRIP_MS) return;
    await sleep(3 * ROUND_TRIP_MS - idle);
  }
}

/** Runs `action` from a quiet start; resolves the wave in which the first command containing `marker` went to Redis. */
async function waveOf(marker: string, action: () => Promise<unknown>): Promise<number> {
  await quiet();
  sent = [];
  const start = performance.now();
  await action();
  const write = sent.find((chunk) => chunk.text.includes(marker));
  if (!write) throw new Error(`no command with ${marker} reached Redis`);
  return Math.round((write.at - start) / ROUND_TRIP_MS);
}

/** A login scanned by ana, with its browser socket, once the socket has been pushed `scanned`. */
async function scannedWithSocket() {
  const login = await createLogin(server.url);
  const socket = await connectBrowser(server.url, { id: login.id, secret: login.secret });
  sockets.push(socket);
  await waitForState(socket);
  expect((await mobile(server.url, 'scan', 'ana', { id: login.id, code: login.code })).status).toBe(200);
  await waitForState(socket, (s) => s.state === 'scanned');
  return { login, socket };
}

/** One whole login first: each Lua script's first call on a fresh Redis costs an extra round trip (NOSCRIPT, then EVAL). */
beforeAll(async () => {
  const { login, socket } = await scannedWithSocket();
  await mobile(server.url, 'confirm', 'ana', { id: login.id, code: login.code });
  await waitForState(socket, (s) => s.state === 'confirmed');
  expect(typeof (await socket.timeout(5000).emitWithAck('redeem')).token).toBe('string');
  const early = await createLogin(server.url);
  const other = await connectBrowser(server.url, { id: early.id, secret: early.secret });
  sockets.push(other);
  expect((await other.timeout(5000).emitWithAck('redeem')).error).toBe('authorization_pending');
});

/** Session reads (the three-key FIND script, nothing else in the call) of `id` sent since the last waveOf. */
const readsOf = (id: string): number =>
  sent.reduce((n, chunk) => {
    const read = new RegExp(`\\*6\r\n\\$7\r\nevalsha\r\n\\$40\r\n[0-9a-f]{40}\r\n\\$1\r\n3\r\n\\$\\d+\r\n[^\r]*session:\\{${id}\\}\r\n`, 'gi');
    return n + (chunk.text.match(read)?.length ?? 0);
  }, 0);

test('a confirm writes after one round trip: the session is read alongside the rate limits, and only then', async () => {
  const { login } = await scannedWithSocket();
  const wave = await waveOf('confirmed', async () => {
    expect((await mobile(server.url, 'confirm', 'ana', { id: login.id, code: login.code })).status).toBe(200);
  });
  expect(wave).toBe(1);
  // The keyspace echo of the node's own write costs no second read.
  await quiet();
  expect(readsOf(login.id)).toBe(1);
});

test('a socket redeem of a session pushed as confirmed writes at once, and gets the one token', async () => {
  const { login, socket } = await scannedWithSocket();
  await mobile(server.url, 'confirm', 'ana', { id: login.id, code: login.code });
  await waitForState(socket, (s) => s.state === 'confirmed');
  let answer: any;
  const wave = await waveOf('redeemed', async () => {
    answer = await socket.timeout(5000).emitWithAck('redeem');
  });
  expect(wave).toBe(0);
  await quiet();
  expect(readsOf(login.id)).toBe(0);
  expect(answer).toMatchObject({ token: expect.any(String), tokenType: 'Bearer', user: { id: 'ana' } });
  // That socket is closed after `redeemed`; a browser coming back for its answer asks on a new one.
  const again = await connectBrowser(server.url, { id: login.id, secret: login.secret });
  await waitForState(again, (s) => s.state === 'redeemed');
  expect(await again.timeout(5000).emitWithAck('redeem')).toEqual(sameAnswer(answer));
  again.close();
});

test('a redeem before the confirm reads, and counts against the per-session limit, before it answers', async () => {
  const { socket } = await scannedWithSocket();
  await quiet();
  sent = [];
  const start = performance.now();
  expect((await socket.timeout(5000).emitWithAck('redeem')).error).toBe('authorization_pending');
  // The limit's counter and the session read go out together; the answer waits for both.
  expect(sent.some((chunk) => chunk.text.includes('ratelimit:session'))).toBe(true);
  expect(Math.round((performance.now() - start) / ROUND_TRIP_MS)).toBe(1);
});
