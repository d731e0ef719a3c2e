/**
 * Nodes tell each other about transitions on per-session Redis channels
 * (server/realtime/fanout.ts). A node hears a session's channel only while
 * one of its browsers waits on that session, so an idle node hears nothing of
 * logins elsewhere: counted here with the node's own pub/sub message counter
 * (qrlogin_pubsub_messages_received_total). The channel is also writable by
 * anyone with access to Redis: a malformed message must be dropped.
 */
import Redis from 'ioredis';
import type { Socket } from 'socket.io-client';
import { closeBrowsers, connectBrowser, createLogin, mobile, redeemHttp, statesOf, waitForState } from './support/client';
import { waitFor } from './support/expect';
import { sample, scrapeMetrics } from './support/metrics';
import { startTestServer, type TestServer } from './support/server';

let a: TestServer;
let b: TestServer;
let c: TestServer;
let redis: Redis;
const sockets: Socket[] = [];
beforeAll(async () => {
  a = await startTestServer();
  b = await startTestServer({ env: { REDIS_KEY_PREFIX: keyPrefixOf(a) } });
  c = await startTestServer({ env: { REDIS_KEY_PREFIX: keyPrefixOf(a) } });
  redis = new Redis(process.env.TEST_REDIS_URL as string);
});
afterEach(async () => {
  await closeBrowsers(sockets.splice(0), a);
});
afterAll(async () => {
  redis?.disconnect();
  await c?.close();
  await b?.close();
  await a?.close();
});

function keyPrefixOf(server: TestServer): string {
  return (server.qrlogin.store as unknown as { keyPrefix: string }).keyPrefix;
}

/** Pub/sub messages `node` has received so far, of one kind (`changes`, `keyspace`) or both. */
async function received(node: TestServer, kind?: 'changes' | 'keyspace'): Promise<number> {
  const text = (await scrapeMetrics(node.url)).body as string;
  const count = (k: string) => sample(text, 'qrlogin_pubsub_messages_received_total', `kind="${k}"`) ?? 0;
  return kind ? count(kind) : count('changes') + count('keyspace');
}

/** A login created and confirmed on `phoneNode`, with its browser socket on `browserNode`, once the socket has `confirmed`. */
async function confirmedWith(browserNode: TestServer, phoneNode: TestServer) {
  const login = await createLogin(phoneNode.url);
  const socket = await connectBrowser(browserNode.url, { id: login.id, secret: login.secret });
  sockets.push(socket);
  await waitForState(socket);
  expect((await mobile(phoneNode.url, 'scan', 'ana', { id: login.id, code: login.code })).status).toBe(200);
  expect((await mobile(phoneNode.url, 'confirm', 'ana', { id: login.id, code: login.code })).status).toBe(200);
  await waitForState(socket, (s) => s.state === 'confirmed');
  return { login, socket };
}

/** A whole login on `node` with its browser socket there too: create, scan, confirm, redeem over the socket. */
async function loginOn(node: TestServer): Promise<void> {
  const { socket } = await confirmedWith(node, node);
  expect(typeof (await socket.timeout(5000).emitWithAck('redeem')).token).toBe('string');
  await waitForState(socket, (s) => s.state === 'redeemed');
}

test('an idle node receives no pub/sub message for logins on another node', async () => {
  // A marker login watched from B and C, changed after the logins: Redis sends each
  // subscriber its messages in order, so once B and C push the marker's change they
  // have received everything published to them before it.
  const marker = await createLogin(a.url);
  const watchers = await Promise.all([b, c].map((node) => connectBrowser(node.url, { id: marker.id, secret: marker.secret })));
  sockets.push(...watchers);
  await Promise.all(watchers.map((socket) => waitForState(socket)));
  const before = await Promise.all([b, c].map(async (node) => ({ changes: await received(node, 'changes'), keyspace: await received(node, 'keyspace') })));
  const servingBefore = await received(a, 'changes');

  for (let i = 0; i < 5; i++) await loginOn(a);
  expect((await mobile(a.url, 'scan', 'ana', { id: marker.id, code: marker.code })).status).toBe(200);
  await Promise.all(watchers.map((socket) => waitForState(socket, (s) => s.state === 'scanned')));

  // The serving node heard its own logins (its browsers listened: 3 changes each), so the counter counts...
  expect(await received(a, 'changes')).toBeGreaterThanOrEqual(servingBefore + 5 * 3);
  // ...while B and C heard only the marker's scan: its change, and the keyspace `hset` of its key.
  for (const [index, node] of [b, c].entries()) {
    expect({ changes: await received(node, 'changes'), keyspace: await received(node, 'keyspace') }).toEqual({
      changes: (before[index]?.changes ?? NaN) + 1,
      keyspace: (before[index]?.keyspace ?? NaN) + 1,
    });
  }
});

test('a node with a browser of the login hears exactly the changes other nodes wrote; the third node hears nothing', async () => {
  const [bBefore, cBefore] = await Promise.all([received(b, 'changes'), received(c)]);
  const { login, socket } = await confirmedWith(b, a);
  expect(await received(b, 'changes')).toBe(bBefore + 2);
  // Redeemed on A over HTTP: B hears that too, and pushes it.
  expect((await redeemHttp(a.url, login)).status).toBe(200);
  await waitForState(socket, (s) => s.state === 'redeemed');
  expect(await received(b, 'changes')).toBe(bBefore + 3);
  expect(await received(c)).toBe(cBefore);
  expect(statesOf(socket).map((s) => s.version)).toEqual([1, 2, 3, 4]);
});

test('a node leaves a session\'s channel when its last browser of it leaves', async () => {
  const login = await createLogin(a.url);
  const channel = `${keyPrefixOf(a)}changes:{${login.id}}`;
  const subscribers = async () => Number(((await redis.pubsub('NUMSUB', channel)) as [string, number])[1]);
  const first = await connectBrowser(b.url, { id: login.id, secret: login.secret });
  const second = await connectBrowser(b.url, { id: login.id, secret: login.secret });
  await Promise.all([waitForState(first), waitForState(second)]);
  expect(await subscribers()).toBe(1); // one subscription per node, however many browsers
  first.close();
  await waitFor(async () => (await b.qrlogin.metrics.connectedSockets.get()).values[0]?.value === 1);
  expect(await subscribers()).toBe(1);
  second.close();
  await waitFor(async () => (await subscribers()) === 0);
  // Gone from the channel, B hears nothing of the session's next change.
  const before = await received(b);
  expect((await mobile(a.url, 'cancel', 'ana', { id: login.id, code: login.code })).status).toBe(200);
  const marker = await createLogin(a.url); // a later command through the same Redis: the cancel's PUBLISH went out before it
  expect(marker.id).not.toBe(login.id);
  expect(await received(b)).toBe(before);
});

test('garbage on a session\'s channel is dropped; the node keeps serving and pushing', async () => {
  const login = await createLogin(a.url);
  const socket = await connectBrowser(a.url, { id: login.id, secret: login.secret });
  sockets.push(socket);
  await waitForState(socket, (s) => s.version === 1);
  const channel = `${keyPrefixOf(a)}changes:{${login.id}}`;
  const expiresAt = login.expiresAt;
  const garbage = [
    '',
    'text',
    'node 1',
    'node x {"id":"x"}',
    `node 1 {"id":"${login.id}"`,
    'node 1 null',
    'node 1 42',
    `node 1 {"id":"${login.id}","version":"9","state":"confirmed","expiresAt":"${expiresAt}"}`,
    `node 1 {"id":"${login.id}","version":9,"state":"hacked","expiresAt":"${expiresAt}"}`,
    `node 1 {"id":"${login.id}","version":0,"state":"confirmed","expiresAt":"${expiresAt}"}`,
    // Well-formed, but about another session than the channel's.
    `node 1 {"id":"6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab","version":9,"state":"confirmed","expiresAt":"${expiresAt}"}`,
  ];
  const before = await received(a, 'changes');
  for (const message of garbage) await redis.publish(channel, message);
  await waitFor(async () => (await received(a, 'changes')) === before + garbage.length);
  // The scan is written on B: A's browser hears of it through the same channel.
  expect((await mobile(b.url, 'scan', 'ana', { id: login.id, code: login.code })).status).toBe(200);
  await waitForState(socket, (s) => s.state === 'scanned' && s.version === 2);
  expect(statesOf(socket).map((s) => `${s.version}:${s.state}`)).toEqual(['1:pending', '2:scanned']);
  expect((await fetch(`${a.url}/healthz`)).status).toBe(200);
});
