import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Redis from 'ioredis';
import {
  call,
  connectBrowser,
  createLogin,
  mobile,
  nextDisconnect,
  redeemOverHttp,
  statesOf,
  waitForState,
} from '../support/client';
import { endRedeliveryWindow } from '../support/redelivery';
import { startNode, type NodeProcess } from '../support/node-process';
import { threeNodes } from '../support/three-nodes';

/**
 * Three `npm start` processes on one real Redis, as behind a load balancer:
 * the browser's socket, the phone's calls and the redeem each land on
 * whichever node, and every transition reaches the browser.
 */
describe('several nodes on one Redis', () => {
  const cluster = threeNodes();
  const { prefix, env, sockets, extraNodes } = cluster;
  let a: NodeProcess, b: NodeProcess, c: NodeProcess;
  let redis: Redis;
  beforeAll(() => {
    ({ a, b, c, redis } = cluster);
  });
  const browser = async (node: NodeProcess, login: { id: string; secret: string }) => {
    const socket = await connectBrowser(node.url, { id: login.id, secret: login.secret });
    sockets.push(socket);
    return socket;
  };

  test('browser socket on A, scan on B, confirm on C, redeem on A', async () => {
    const login = await createLogin(a.url);
    const socket = await browser(a, login);
    await waitForState(socket, (s) => s.version === 1);

    expect((await mobile(b.url, 'scan', 'ana', { qr: login.qr.content })).status).toBe(200);
    expect(await waitForState(socket, (s) => s.state === 'scanned')).toMatchObject({ version: 2, user: { id: 'ana' } });
    expect((await mobile(c.url, 'confirm', 'ana', { id: login.id, code: login.code })).status).toBe(200);
    await waitForState(socket, (s) => s.state === 'confirmed' && s.version === 3);

    const ack = await socket.timeout(5000).emitWithAck('redeem');
    expect(ack).toMatchObject({ tokenType: 'Bearer', user: { id: 'ana' } });
    const me = await call(b.url, 'GET', '/api/me', { headers: { authorization: `Bearer ${ack.token}` } });
    expect(me).toMatchObject({ status: 200, body: { user: { id: 'ana' } } });
    await waitForState(socket, (s) => s.state === 'redeemed' && s.version === 4);
    // Each version reached the browser once, although three nodes heard of it (adapter message and keyspace event).
    expect(statesOf(socket).map((s) => s.version)).toEqual([1, 2, 3, 4]);
  });

  test('redeems racing on all three nodes, over HTTP and sockets, give exactly one token, to every one of them', async () => {
    const login = await createLogin(b.url);
    await mobile(c.url, 'scan', 'ben', { id: login.id, code: login.code });
    await mobile(a.url, 'confirm', 'ben', { id: login.id, code: login.code });
    const socketA = await browser(a, login);
    const socketC = await browser(c, login);

    const answers = await Promise.all([
      ...[a, b, c, a, b, c].map(async (node) => (await redeemOverHttp(node.url, login)).body),
      socketA.timeout(5000).emitWithAck('redeem'),
      socketC.timeout(5000).emitWithAck('redeem'),
    ]);
    expect(answers.filter((answer) => typeof answer.token !== 'string')).toEqual([]);
    expect(new Set(answers.map((answer) => answer.token)).size).toBe(1);
    // Past the re-delivery window a repeat is refused on every node, over both channels (the sockets that
    // handed out the token were closed after `redeemed`: a browser coming back opens a new one).
    await endRedeliveryWindow(process.env.TEST_REDIS_URL as string, prefix, login.id);
    const lateSocket = await browser(c, login);
    const late = await Promise.all([redeemOverHttp(b.url, login).then((r) => r.body), lateSocket.timeout(5000).emitWithAck('redeem')]);
    expect(late.map((answer) => answer.error)).toEqual(['already_redeemed', 'already_redeemed']);
  });

  test('a confirm made while the browser was disconnected is the first state it gets on another node', async () => {
    const login = await createLogin(a.url);
    const first = await browser(a, login);
    await mobile(b.url, 'scan', 'cleo', { qr: login.qr.content });
    await waitForState(first, (s) => s.state === 'scanned');
    first.close();

    await mobile(c.url, 'confirm', 'cleo', { id: login.id, code: login.code });
    const again = await browser(b, login);
    const state = await waitForState(again);
    expect(state).toMatchObject({ state: 'confirmed', version: 3 });
    expect(statesOf(again)[0]).toEqual(state);
  });

  test('node A killed after the scan: the browser reconnects to B and finishes the login', async () => {
    const doomed = await startNode(env);
    extraNodes.push(doomed);
    const login = await createLogin(doomed.url);
    const socket = await browser(doomed, login);
    await mobile(b.url, 'scan', 'dan', { qr: login.qr.content });
    await waitForState(socket, (s) => s.state === 'scanned');

    const lost = nextDisconnect(socket);
    await doomed.stop('SIGKILL');
    await lost;

    const moved = await browser(b, login);
    expect(await waitForState(moved)).toMatchObject({ state: 'scanned', version: 2, user: { id: 'dan' } });
    await mobile(c.url, 'confirm', 'dan', { id: login.id, code: login.code });
    await waitForState(moved, (s) => s.state === 'confirmed');
    expect(await moved.timeout(5000).emitWithAck('redeem')).toMatchObject({ tokenType: 'Bearer', user: { id: 'dan' } });
  });

  test('a session created on a short-TTL node expires, and `expired` reaches its browser on another node', async () => {
    const shortLived = await startNode({ ...env, QR_TTL_SECONDS: '1' });
    extraNodes.push(shortLived);
    const login = await createLogin(shortLived.url);
    // On a slow machine the second may be over before the socket connects: then `expired` is its first state.
    const socket = await browser(c, login);
    expect(await waitForState(socket, (s) => s.state === 'expired', 10000)).toMatchObject({ version: 2 });
    await shortLived.stop('SIGKILL');
  });

  test('a TTL shortened directly in Redis pushes `expired` long before the session was due (keyspace event)', async () => {
    const login = await createLogin(a.url); // 60 s: no node timer fires during this test
    const socket = await browser(b, login);
    await waitForState(socket, (s) => s.version === 1);
    await redis.pexpire(`${prefix}session:{${login.id}}:ttl`, 100);
    expect(await waitForState(socket, (s) => s.state === 'expired', 10000)).toMatchObject({ version: 2 });
  });

  test('a scan and a confirm written into Redis by an outside process, per the README, reach the browser', async () => {
    const login = await createLogin(a.url);
    const socket = await browser(c, login);
    await waitForState(socket, (s) => s.version === 1);

    // What a mobile backend in another language would do: the fields and the version bump in one transaction.
    const key = `${prefix}session:{${login.id}}`;
    await redis
      .multi()
      .hset(key, { state: 'scanned', userId: 'eve', userName: 'Eve Outside', scannedAt: String(Date.now()) })
      .hincrby(key, 'version', 1)
      .exec();
    expect(await waitForState(socket, (s) => s.state === 'scanned')).toEqual({
      id: login.id,
      state: 'scanned',
      version: 2,
      expiresAt: login.expiresAt,
      user: { id: 'eve', displayName: 'Eve Outside' },
    });
    // The README's confirm script, as the outside writer would run it (and refusing a stale version).
    const confirmScript = /```lua\n([\s\S]*?)```/.exec(readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8'))?.[1] as string;
    const keys = [key, `${key}:ttl`];
    expect(await redis.eval(confirmScript, 2, ...keys, '1')).toBe(0);
    expect(await redis.eval(confirmScript, 2, ...keys, '2')).toBe(1);
    await waitForState(socket, (s) => s.state === 'confirmed' && s.version === 3);
    // The nodes take it from there.
    expect(await socket.timeout(5000).emitWithAck('redeem')).toMatchObject({ tokenType: 'Bearer', user: { id: 'eve' } });
  });
});
