/**
 * Rate limits of the browser endpoints as a way to fill Redis (issue 15 item
 * 3): a per-IP limit is checked first, the per-session budget is spent only
 * once id and secret check out, failures are counted per IP, and DELETE is
 * limited too. Against a real node and Redis; the Redis keys are counted.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { call, createLogin, secretHeader } from './support/client';
import { startNode, type NodeProcess } from './support/node-process';

const randomSecret = () => randomBytes(32).toString('base64url');

/** Runs `total` calls, `width` at a time; resolves their statuses. */
async function statusesOf(total: number, width: number, send: (i: number) => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < total) out.push(await send(next++));
    }),
  );
  return out;
}
const tally = (statuses: number[]) => statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});

async function keysUnder(prefix: string): Promise<string[]> {
  const redis = new Redis(process.env.TEST_REDIS_URL as string);
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [nextCursor, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = nextCursor;
      keys.push(...batch);
    } while (cursor !== '0');
    return keys;
  } finally {
    redis.disconnect();
  }
}

const startWith = async (env: Record<string, string> = {}) => {
  const prefix = `test:browserlimits:${randomBytes(4).toString('hex')}:`;
  // Exact counts: a node counts alone only when Redis is away, not when a loaded machine slows it.
  const node = await startNode({ REDIS_URL: process.env.TEST_REDIS_URL as string, REDIS_KEY_PREFIX: prefix, RATE_LIMIT_REDIS_WAIT_MS: '2000', ...env });
  return { node, prefix };
};

describe('with the default limits', () => {
  let node: NodeProcess;
  let prefix: string;
  beforeAll(async () => {
    ({ node, prefix } = await startWith());
  });
  afterAll(() => node?.stop('SIGKILL'));

  test('1,200 reads of random ids from one IP: 60 get 404, the rest 429, and Redis holds two counters, not 1,200', async () => {
    const statuses = await statusesOf(1200, 20, async () => (await call(node.url, 'GET', `/api/login-sessions/${randomUUID()}`, { headers: { 'x-login-secret': randomSecret() } })).status);
    // 60 misses per IP are answered; past them, 429.
    const counts = tally(statuses);
    expect(counts).toEqual({ 404: 60, 429: 1140 });
    const keys = await keysUnder(prefix);
    expect(keys.sort()).toEqual([`${prefix}ratelimit:browserFailure:127.0.0.1`, `${prefix}ratelimit:browserIp:127.0.0.1`]);
  }, 120_000); // 1,200 requests: minutes on a loaded machine

  test('then QR images, redeems and DELETEs of random ids from that IP get 429 too', async () => {
    const headers = { 'x-login-secret': randomSecret() };
    for (const [method, suffix] of [['GET', '/qr.png'], ['GET', '/qr.svg'], ['POST', '/redeem'], ['DELETE', '']]) {
      const res = await call(node.url, method as string, `/api/login-sessions/${randomUUID()}${suffix}`, { headers });
      expect(res).toMatchObject({ status: 429, body: { error: 'rate_limited' } });
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });
});

describe('the per-session budget is spent only once id and secret check out', () => {
  let node: NodeProcess;
  beforeAll(async () => {
    ({ node } = await startWith({ RATE_LIMIT_SESSION_READS: '5', RATE_LIMIT_BROWSER_FAILURES_PER_IP: '0' }));
  });
  afterAll(() => node?.stop('SIGKILL'));

  test('20 reads of a real id with wrong secrets (same IP) leave the browser its 5 reads', async () => {
    const login = await createLogin(node.url);
    const wrong = await statusesOf(20, 5, async () => (await call(node.url, 'GET', `/api/login-sessions/${login.id}`, { headers: { 'x-login-secret': randomSecret() } })).status);
    expect(tally(wrong)).toEqual({ 404: 20 });
    const own = await statusesOf(6, 1, async () => (await call(node.url, 'GET', `/api/login-sessions/${login.id}`, { headers: secretHeader(login) })).status);
    expect(own).toEqual([200, 200, 200, 200, 200, 429]);
  });
});

describe('DELETE is limited', () => {
  let node: NodeProcess;
  beforeAll(async () => {
    ({ node } = await startWith({ RATE_LIMIT_BROWSER_PER_IP: '10' }));
  });
  afterAll(() => node?.stop('SIGKILL'));

  test('15 DELETEs from one IP: 10 answered, then 429', async () => {
    const login = await createLogin(node.url);
    const statuses = await statusesOf(15, 1, async (i) =>
      (await call(node.url, 'DELETE', `/api/login-sessions/${i === 0 ? login.id : randomUUID()}`, { headers: i === 0 ? secretHeader(login) : { 'x-login-secret': randomSecret() } })).status,
    );
    expect(statuses).toEqual([204, ...Array(9).fill(404), ...Array(5).fill(429)]);
  });
});
