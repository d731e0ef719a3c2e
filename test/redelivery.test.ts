/**
 * PROTOCOL.md v1.1, "An answer lost on the way must not lose the login": two
 * nodes on the run's Redis. A repeat redeem with the secret gets the same token
 * on any node over either channel; without the secret nothing changes (404);
 * Redis holds the token only sealed, in a key that dies with the window.
 */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import type { Socket } from 'socket.io-client';
import { call, closeBrowsers, confirmedLogin, connectBrowser, redeemHttp, secretHeader, waitForState } from './support/client';
import { expectError } from './support/expect';
import { sample, scrapeMetrics } from './support/metrics';
import { sameAnswer } from './support/redelivery';
import { startTestServer, type TestServer } from './support/server';

const PREFIX = `test:${randomBytes(4).toString('hex')}:`;
let a: TestServer;
let b: TestServer;
let redis: Redis;
const socketsOn = { a: [] as Socket[], b: [] as Socket[] };

beforeAll(async () => {
  const env = { REDIS_KEY_PREFIX: PREFIX, REDEEM_REDELIVERY_SECONDS: '90' };
  [a, b] = await Promise.all([startTestServer({ env }), startTestServer({ env })]);
  redis = new Redis(process.env.TEST_REDIS_URL as string);
});
afterEach(async () => {
  await closeBrowsers(socketsOn.a, a);
  await closeBrowsers(socketsOn.b, b);
});
afterAll(async () => {
  redis.disconnect();
  await Promise.all([a.close(), b.close()]);
});

const redeliveries = async (node: TestServer) => sample((await scrapeMetrics(node.url)).body, 'qrlogin_redeem_redeliveries_total') ?? 0;

test('a socket redeem on one node, repeated over HTTP and another socket on the other: the same token each time', async () => {
  const login = await confirmedLogin(a.url, 'ana');
  const first = await connectBrowser(a.url, { id: login.id, secret: login.secret });
  socketsOn.a.push(first);
  await waitForState(first, (s) => s.state === 'confirmed');
  const answer = await first.timeout(10_000).emitWithAck('redeem');
  expect(answer).toMatchObject({ token: expect.any(String), user: { id: 'ana' } });

  const before = await redeliveries(b);
  const overHttp = await redeemHttp(b.url, login);
  expect(overHttp).toMatchObject({ status: 200, body: sameAnswer(answer) });
  expect(overHttp.headers.get('cache-control')).toBe('no-store');
  const second = await connectBrowser(b.url, { id: login.id, secret: login.secret });
  socketsOn.b.push(second);
  await waitForState(second, (s) => s.state === 'redeemed');
  expect(await second.timeout(10_000).emitWithAck('redeem')).toEqual(sameAnswer(answer));
  expect(await redeliveries(b)).toBe(before + 2);
  expect((await call(b.url, 'GET', '/api/me', { headers: { authorization: `Bearer ${answer.token}` } })).status).toBe(200);
});

test('without the right secret a repeat learns nothing: 404, the login unchanged', async () => {
  const login = await confirmedLogin(a.url, 'ben');
  const first = await redeemHttp(a.url, login);
  expect(first.status).toBe(200);
  for (const headers of [{}, secretHeader({ secret: `${login.secret.slice(0, -1)}${login.secret.endsWith('A') ? 'B' : 'A'}` }), secretHeader({ secret: randomBytes(32).toString('base64url') })]) {
    const res = await call(b.url, 'POST', `/api/login-sessions/${login.id}/redeem`, { headers });
    expectError(res, 404, 'not_found');
    expect(JSON.stringify(res.body)).not.toContain(first.body.token);
  }
  expect(await redeemHttp(b.url, login)).toMatchObject({ status: 200, body: sameAnswer(first.body) });
});

test('Redis holds the token only sealed, in its own key whose PX is the window', async () => {
  const login = await confirmedLogin(a.url, 'cleo');
  const { body } = await redeemHttp(a.url, login);
  const keys = await redis.keys(`${PREFIX}session:{${login.id}}*`);
  expect(keys.sort()).toEqual([`${PREFIX}session:{${login.id}}`, `${PREFIX}session:{${login.id}}:answer`]);
  const everything = JSON.stringify([await redis.hgetall(keys[0] as string), await redis.get(`${PREFIX}session:{${login.id}}:answer`)]);
  expect(everything).not.toContain(body.token);
  expect(everything).not.toContain(body.token.split('.')[1]); // not even the claims part
  expect(everything).not.toContain(login.secret);
  const window = await redis.pttl(`${PREFIX}session:{${login.id}}:answer`);
  expect(window).toBeGreaterThan(80_000);
  expect(window).toBeLessThanOrEqual(90_000);
});
