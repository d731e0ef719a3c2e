/**
 * Linked devices across `npm start` processes on one real Redis: the phone
 * on node B signs out a browser whose `/session` socket is on node A. Only
 * node A listens for that browser (a per-sid channel while its socket is
 * there), the push arrives, the token is refused on every node, a late
 * reconnect is refused, and the devices outlive a node restart.
 */
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { appToken, call, confirmedLogin } from '../support/client';
import { expectError, waitFor } from '../support/expect';
import { startNode, type NodeProcess } from '../support/node-process';
import { threeNodes } from '../support/three-nodes';
import { connectSession, listDevices, me, sessionRefusal, signOutDevice, signOutOf } from '../support/session-socket';

const CHROME_ON_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

describe('linked devices on several nodes', () => {
  const cluster = threeNodes();
  const { prefix, env, sockets, extraNodes } = cluster;
  let a: NodeProcess, b: NodeProcess, c: NodeProcess;
  let redis: Redis;
  beforeAll(() => {
    ({ a, b, c, redis } = cluster);
  });

  /** A login by `userId` (scan and confirm on other nodes), redeemed on `node` by a Chrome on macOS. */
  async function loggedIn(node: NodeProcess, userId: string): Promise<{ token: string; sid: string }> {
    const login = await confirmedLogin(node.url, userId);
    const res = await call(node.url, 'POST', `/api/login-sessions/${login.id}/redeem`, {
      headers: { 'x-login-secret': login.secret, 'user-agent': CHROME_ON_MAC },
    });
    if (res.status !== 200) throw new Error(`redeem failed: ${res.status}`);
    return res.body;
  }
  const session = async (node: NodeProcess, token: string) => {
    const socket = await connectSession(node.url, { token });
    sockets.push(socket);
    return socket;
  };
  /** How many subscribers (nodes) the sid's sign-out channel has in Redis. */
  const listeners = async (sid: string) => {
    const [, count] = (await redis.pubsub('NUMSUB', `${prefix}signout:{${sid}}`)) as [string, number];
    return count;
  };


  test('the phone on B signs out the browser whose socket is on A: only A listens, the push arrives, every node refuses the token and a reconnect', async () => {
    const ana = `ana-${randomUUID().slice(0, 6)}`;
    const browser = await loggedIn(a, ana);
    expect(await listeners(browser.sid)).toBe(0);
    const socket = await session(a, browser.token);
    // Targeted: one subscriber for this browser, node A's, although three nodes run.
    await waitFor(async () => (await listeners(browser.sid)) === 1);
    const signal = signOutOf(socket);

    expect((await signOutDevice(b.url, appToken(ana), browser.sid)).status).toBe(204);
    const { event, order } = await signal;
    expect(event).toEqual({ sid: browser.sid, reason: 'revoked' });
    expect(order).toEqual(['signed_out', 'disconnect']);
    // The socket gone, node A stops listening.
    await waitFor(async () => (await listeners(browser.sid)) === 0);

    for (const node of [a, b, c]) {
      expectError(await me(node.url, browser.token), 401, 'invalid_token');
      expect(await sessionRefusal(node.url, { token: browser.token })).toBe('invalid_token');
    }
  });

  test('a logout on C reaches the socket on B', async () => {
    const ben = `ben-${randomUUID().slice(0, 6)}`;
    const browser = await loggedIn(a, ben);
    const socket = await session(b, browser.token);
    await waitFor(async () => (await listeners(browser.sid)) === 1);
    const signal = signOutOf(socket);
    expect((await call(c.url, 'POST', '/api/logout', { headers: { authorization: `Bearer ${browser.token}` } })).status).toBe(204);
    expect((await signal).event).toEqual({ sid: browser.sid, reason: 'logout' });
    expectError(await me(a.url, browser.token), 401, 'invalid_token');
  });

  test("a user cannot see or sign out another user's devices, on any node", async () => {
    const ana = `ana-${randomUUID().slice(0, 6)}`;
    const ben = `ben-${randomUUID().slice(0, 6)}`;
    const anas = await loggedIn(a, ana);
    const socket = await session(a, anas.token);
    for (const node of [a, b, c]) {
      expect((await listDevices(node.url, appToken(ben))).body).toEqual({ devices: [] });
      expectError(await signOutDevice(node.url, appToken(ben), anas.sid), 404, 'not_found');
    }
    expect((await me(c.url, anas.token)).body).toMatchObject({ user: { id: ana }, sid: anas.sid });
    expect((await listDevices(c.url, appToken(ana))).body.devices).toEqual([
      expect.objectContaining({ sid: anas.sid, browser: 'Chrome 131', os: 'Mac OS' }),
    ]);
    expect(socket.connected).toBe(true);
  });

  test('the list and the sign-outs survive a node restart', async () => {
    const chloe = `chloe-${randomUUID().slice(0, 6)}`;
    const kept = await loggedIn(a, chloe);
    const revokedBefore = await loggedIn(a, chloe);
    const revokedAfter = await loggedIn(a, chloe);
    expect((await signOutDevice(a.url, appToken(chloe), revokedBefore.sid)).status).toBe(204);

    await a.stop();
    const restarted = await startNode({ ...env });
    extraNodes.push(restarted);
    expect((await listDevices(restarted.url, appToken(chloe))).body.devices.map((d: any) => d.sid)).toEqual([revokedAfter.sid, kept.sid]);
    expectError(await me(restarted.url, revokedBefore.token), 401, 'invalid_token');
    expect(await sessionRefusal(restarted.url, { token: revokedBefore.token })).toBe('invalid_token');

    // A socket on the restarted node is signed out from a phone on another.
    const socket = await session(restarted, revokedAfter.token);
    const signal = signOutOf(socket);
    expect((await signOutDevice(c.url, appToken(chloe), revokedAfter.sid)).status).toBe(204);
    expect((await signal).event).toEqual({ sid: revokedAfter.sid, reason: 'revoked' });
    expect((await listDevices(b.url, appToken(chloe))).body.devices.map((d: any) => d.sid)).toEqual([kept.sid]);
    expect((await me(restarted.url, kept.token)).status).toBe(200);
  });
});
