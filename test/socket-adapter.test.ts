/**
 * Socket.IO's Redis adapter stays for what it is for: a site's own cross-node
 * features on the server `attach()` returns (serverSideEmit, room broadcasts,
 * fetchSockets). qrlogin's pushes do not use it, so it must cost nothing per
 * login: sharded channels per namespace (SSUBSCRIBE), no pattern subscription
 * and no per-room channel.
 */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { connectBrowser, createLogin, waitForState } from './support/client';
import { startTestServer, type TestServer } from './support/server';
import { waitFor } from './support/wait';

let redis: Redis;
let nodes: TestServer[] = [];
const prefix = `test:${randomBytes(4).toString('hex')}:`;
const shardSubscribers = async (channel: string) => Number(((await redis.call('PUBSUB', 'SHARDNUMSUB', channel)) as [string, number])[1]);

beforeAll(async () => {
  redis = new Redis(process.env.TEST_REDIS_URL ?? '');
  nodes = await Promise.all([0, 1].map(() => startTestServer({ env: { REDIS_KEY_PREFIX: prefix } })));
});
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  redis.disconnect();
});

test("a site's serverSideEmit on one node reaches the other, over the namespace's shard channel", async () => {
  const [a, b] = nodes as [TestServer, TestServer];
  const channel = `${prefix}socket.io#/login#`;
  await waitFor(async () => (await shardSubscribers(channel)) === 2);
  const heard = new Promise((resolve) => b.io.of('/login').on('site:hello', resolve));
  a.io.of('/login').serverSideEmit('site:hello', 'from a');
  expect(await heard).toBe('from a');
});

test('a login adds no adapter channel: rooms stay local, nothing per session', async () => {
  const [a] = nodes as [TestServer, TestServer];
  const before = ((await redis.call('PUBSUB', 'SHARDCHANNELS', `${prefix}socket.io#*`)) as string[]).sort();
  const login = await createLogin(a.url);
  const browser = await connectBrowser(a.url, { id: login.id, secret: login.secret });
  await waitForState(browser);
  expect(a.io.of('/login').adapter.rooms.get(login.id)?.size).toBe(1);
  const after = ((await redis.call('PUBSUB', 'SHARDCHANNELS', `${prefix}socket.io#*`)) as string[]).sort();
  expect(after).toEqual(before);
  expect(after.some((c) => c.includes(login.id))).toBe(false);
  // Two channels (broadcast, replies) per namespace and node: /, /login, /session on two nodes share 3 broadcast channels.
  expect(after.filter((c) => c.split('#').length === 3)).toHaveLength(3);
  browser.close();
});
