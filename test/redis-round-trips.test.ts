/**
 * How many Redis round trips a user waits for before the write that moves the
 * login on, counted by causality, not by time. The node talks to Redis through
 * a proxy that holds every reply until the test releases it (test/support/
 * reply-gate.ts). The test lets the node run until it waits on held replies
 * only, then releases them all: one round trip. The write's round trip is the
 * number of releases before it went out. A loaded machine makes each step
 * slower, never the count different.
 *
 * A confirm reads the session alongside the caller's rate limits and token
 * check, then writes: round trip 1. A socket's redeem of a session it was
 * pushed as confirmed writes at once: round trip 0. Neither reads the session
 * again when the keyspace echo of its own write comes back. A redeem the
 * shortcut does not cover (the session is not confirmed yet) still counts
 * against the per-session limit.
 */
import type { Socket } from 'socket.io-client';
import { call, closeBrowsers, connectBrowser, createLogin, mobile, waitForState } from './support/client';
import { sameAnswer } from './support/redelivery';
import { createReplyGate } from './support/reply-gate';
import { startRedis, type RedisProcess } from './support/redis-server';
import { startTestServer, type TestServer } from './support/server';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy';

/** Event-loop turns with nothing sent after which the node is taken to wait (a count of turns: no clock involved). */
const IDLE_TURNS = 50;

let redis: RedisProcess;
let proxy: TcpProxy;
let server: TestServer;
const gate = createReplyGate();
/** Every chunk the node sent Redis since the last waveOf. */
let sent: string[] = [];
const sockets: Socket[] = [];

beforeAll(async () => {
  redis = await startRedis();
  proxy = await startTcpProxy(redis.port, { gate, onRequest: (chunk) => sent.push(chunk.toString('latin1')) });
  server = await startTestServer({ env: { REDIS_URL: `redis://127.0.0.1:${proxy.port}` } });
});
afterAll(async () => {
  gate.hold(false);
  if (server) await closeBrowsers(sockets, server);
  await server?.close();
  await proxy?.close();
  await redis?.stop();
});

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs the node (it shares this process) until it can do nothing more without
 * a reply: Redis has answered every command it sent, and it sent nothing for
 * IDLE_TURNS turns of the event loop. Replies are held or passed on as the
 * gate says.
 */
async function settle(): Promise<void> {
  for (let idle = 0; idle < IDLE_TURNS; ) {
    const before = gate.sent();
    if (gate.unanswered() > 0) {
      // Redis (another process) has yet to answer: give it the CPU.
      await new Promise((resolve) => setTimeout(resolve, 1));
      idle = 0;
      continue;
    }
    await turn();
    idle = gate.sent() === before ? idle + 1 : 0;
  }
}

/** Replies pass freely until the node is idle (hints and pushes of the last step are done). */
async function quiet(): Promise<void> {
  gate.hold(false);
  await settle();
}

/**
 * Runs `action` from a quiet start with every reply held; resolves the number
 * of round trips (releases of the held replies) before the first command
 * containing `marker` went to Redis.
 */
async function waveOf(marker: string, action: () => Promise<unknown>): Promise<number> {
  await quiet();
  sent = [];
  gate.hold(true);
  const done = action();
  done.catch(() => undefined);
  try {
    for (let wave = 0; ; wave++) {
      await settle();
      if (sent.some((chunk) => chunk.includes(marker))) return wave;
      if (gate.held() === 0) throw new Error(`the node waits on no reply, and no command with ${marker} reached Redis`);
      gate.release();
    }
  } finally {
    gate.hold(false);
    await done;
  }
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
    return n + (chunk.match(read)?.length ?? 0);
  }, 0);

/** Waits for the keyspace notification of the node's own write to `id` (the echo), then for the node to be idle. */
async function afterEcho(id: string): Promise<void> {
  gate.hold(false);
  while (!gate.pushes().some((push) => push.includes(`session:{${id}}`) && push.includes('hset'))) await new Promise((resolve) => setTimeout(resolve, 5));
  await settle();
}

test('a confirm writes after one round trip: the session is read alongside the rate limits, and only then', async () => {
  const { login } = await scannedWithSocket();
  const wave = await waveOf('confirmed', async () => {
    expect((await mobile(server.url, 'confirm', 'ana', { id: login.id, code: login.code })).status).toBe(200);
  });
  expect(wave).toBe(1);
  // The keyspace echo of the node's own write costs no second read.
  await afterEcho(login.id);
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
  await afterEcho(login.id);
  expect(readsOf(login.id)).toBe(0);
  expect(answer).toMatchObject({ token: expect.any(String), tokenType: 'Bearer', user: { id: 'ana' } });
  // That socket is closed after `redeemed`; a browser coming back for its answer asks on a new one.
  const again = await connectBrowser(server.url, { id: login.id, secret: login.secret });
  await waitForState(again, (s) => s.state === 'redeemed');
  expect(await again.timeout(5000).emitWithAck('redeem')).toEqual(sameAnswer(answer));
  again.close();
});

test('a redeem before the confirm reads, and counts against the per-session limit, before it answers', async () => {
  const { login, socket } = await scannedWithSocket();
  await quiet();
  sent = [];
  gate.hold(true);
  let answer: any;
  const asked = socket.timeout(5000).emitWithAck('redeem').then((a) => (answer = a));
  try {
    await settle();
    // The limit's counter and the session read go out together, in the first round trip; the answer waits for both.
    expect(sent.some((chunk) => chunk.includes('ratelimit:session'))).toBe(true);
    expect(readsOf(login.id)).toBe(1);
    expect(answer).toBeUndefined();
    gate.release();
    await settle();
    // Answered after that one round trip: nothing more was released.
    expect(answer).toBeDefined();
  } finally {
    gate.hold(false);
  }
  await asked;
  expect(answer.error).toBe('authorization_pending');
});

test('a creation is one command, answered after one round trip: the session, its user code claim and the creation count in one script', async () => {
  await quiet();
  sent = [];
  gate.hold(true);
  let status: number | undefined;
  const asked = call(server.url, 'POST', '/api/login-sessions').then((res) => (status = res.status));
  try {
    await settle();
    const commands = sent.join('').match(/(?:^|\r\n)\*\d+\r\n\$\d+\r\n[a-z]+\r\n/gi) ?? [];
    expect(commands).toHaveLength(1);
    const [script] = sent;
    for (const part of ['evalsha', 'session:{', 'usercode:', 'ratelimit:create:']) expect(script).toContain(part);
    expect(status).toBeUndefined();
    gate.release();
    await settle();
    expect(status).toBe(201);
  } finally {
    gate.hold(false);
  }
  await asked;
});
