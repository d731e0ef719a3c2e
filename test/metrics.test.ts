import { randomBytes } from 'node:crypto';
import { Histogram, Registry } from 'prom-client';
import type { Socket } from 'socket.io-client';
import { createPushTimer, epochNow } from '../server/metrics';
import { call, connectBrowser, createLogin, mobile, waitForState } from './support/client';
import { startRedis } from './support/redis-server';
import { startTestServer, type TestServer } from './support/server';
import { sample, scrapeMetrics } from './support/metrics';

const scrape = async (server: TestServer): Promise<string> => {
  const res = await scrapeMetrics(server.url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.body as string;
};

/** Scrapes until `check` holds (a socket's disconnect reaches the server a moment after the client closes it). */
async function scrapeUntil(server: TestServer, check: (text: string) => boolean): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const text = await scrape(server);
    if (check(text) || attempt >= 100) return text;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function loginThroughSocket(browserNode: TestServer, phoneNode: TestServer): Promise<Socket> {
  const login = await createLogin(browserNode.url);
  const socket = await connectBrowser(browserNode.url, { id: login.id, secret: login.secret });
  await waitForState(socket, (s) => s.state === 'pending');
  expect((await mobile(phoneNode.url, 'scan', 'ana', { id: login.id, code: login.code })).status).toBe(200);
  await waitForState(socket, (s) => s.state === 'scanned');
  expect((await mobile(phoneNode.url, 'confirm', 'ana', { id: login.id, code: login.code })).status).toBe(200);
  await waitForState(socket, (s) => s.state === 'confirmed');
  expect(await socket.timeout(5000).emitWithAck('redeem')).toMatchObject({ tokenType: 'Bearer' });
  await waitForState(socket, (s) => s.state === 'redeemed');
  return socket;
}

describe('metrics after a login', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    // Two nodes on one Redis key space: the browser on A, the phone on B.
    const env = { REDIS_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}:` };
    a = await startTestServer({ env });
    b = await startTestServer({ env });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  test('one node: sessions, transitions, redeems, push latency and connected sockets', async () => {
    const socket = await loginThroughSocket(a, a);
    const text = await scrape(a);
    expect(sample(text, 'qrlogin_sessions_created_total')).toBe(1);
    expect(sample(text, 'qrlogin_transitions_total', 'state="scanned"')).toBe(1);
    expect(sample(text, 'qrlogin_transitions_total', 'state="confirmed"')).toBe(1);
    expect(sample(text, 'qrlogin_transitions_total', 'state="redeemed"')).toBe(1);
    expect(sample(text, 'qrlogin_redeems_total')).toBe(1);
    // scanned, confirmed and redeemed were each pushed to the socket once, timed from their write.
    expect(sample(text, 'qrlogin_push_latency_seconds_count')).toBe(3);
    expect(sample(text, 'qrlogin_push_latency_seconds_bucket', 'le="+Inf"')).toBe(3);
    expect(sample(text, 'qrlogin_push_latency_seconds_sum')).toBeGreaterThan(0);
    expect(sample(text, 'qrlogin_redis_errors_total')).toBe(0);
    // Default process metrics under their standard names, as Node.js dashboards expect them.
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(sample(text, 'qrlogin_process_cpu_user_seconds_total')).toBeUndefined();
    // Requests by route pattern (never the session id), and the login's time from creation to token.
    expect(sample(text, 'qrlogin_http_request_duration_seconds_count', 'method="POST",route="/api/login-sessions",status="201"')).toBe(1);
    expect(sample(text, 'qrlogin_http_request_duration_seconds_count', 'method="POST",route="/api/mobile/scan",status="200"')).toBe(1);
    expect(text).not.toMatch(/qrlogin_http_request_duration_seconds_count\{[^}]*route="[^"]*[0-9a-f]{8}-/);
    expect(sample(text, 'qrlogin_login_duration_seconds_count')).toBe(1);
    expect(sample(text, 'qrlogin_login_duration_seconds_sum')).toBeGreaterThan(0);
    expect(sample(text, 'qrlogin_sessions_expired_total')).toBe(0);

    // The server closed the finished login's socket; one on a live login counts until it goes.
    await scrapeUntil(a, (t) => sample(t, 'qrlogin_connected_sockets') === 0);
    socket.close();
    const live = await createLogin(a.url);
    const waiting = await connectBrowser(a.url, { id: live.id, secret: live.secret });
    expect(sample(await scrapeUntil(a, (t) => sample(t, 'qrlogin_connected_sockets') === 1), 'qrlogin_connected_sockets')).toBe(1);
    waiting.close();
    const after = await scrapeUntil(a, (t) => sample(t, 'qrlogin_connected_sockets') === 0);
    expect(sample(after, 'qrlogin_connected_sockets')).toBe(0);
  });

  test('two nodes: the browser node times the push of changes the other node wrote', async () => {
    const before = sample(await scrape(a), 'qrlogin_push_latency_seconds_count') ?? 0;
    const socket = await loginThroughSocket(a, b);
    socket.close();
    // A wrote the redeem, B the scan and confirm; A pushed all three to its socket. A change
    // of B's may reach A's socket first through a keyspace hint, and B's write time a moment later.
    const textA = await scrapeUntil(a, (t) => sample(t, 'qrlogin_push_latency_seconds_count') === before + 3);
    const textB = await scrape(b);
    expect(sample(textA, 'qrlogin_push_latency_seconds_count')).toBe(before + 3);
    expect(sample(textB, 'qrlogin_push_latency_seconds_count')).toBe(0);
    expect(sample(textB, 'qrlogin_transitions_total', 'state="scanned"')).toBe(1);
    expect(sample(textB, 'qrlogin_transitions_total', 'state="confirmed"')).toBe(1);
  });

  test('rate-limited requests are counted by limit through qrlogin.metrics', async () => {
    a.qrlogin.metrics.rateLimited.inc({ limit: 'create' });
    expect(sample(await scrape(a), 'qrlogin_rate_limited_total', 'limit="create"')).toBe(1);
  });
});

test('a session that expires while its browser waits is counted once, on the browser\'s node', async () => {
  const server = await startTestServer({ env: { QR_TTL_SECONDS: '1', REDIS_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}:` } });
  try {
    const login = await createLogin(server.url);
    const socket = await connectBrowser(server.url, { id: login.id, secret: login.secret });
    try {
      await waitForState(socket, (s) => s.state === 'expired');
      // The hub counts a version before it emits it: the socket has it, so the count is in.
      expect(sample(await scrape(server), 'qrlogin_sessions_expired_total')).toBe(1);
      expect(sample(await scrape(server), 'qrlogin_http_request_duration_seconds_count', 'method="GET",route="unmatched",status="404"')).toBeUndefined();
      expect((await call(server.url, 'GET', '/no-such-route')).status).toBe(404);
      expect(sample(await scrape(server), 'qrlogin_http_request_duration_seconds_count', 'method="GET",route="unmatched",status="404"')).toBe(1);
    } finally {
      socket.close();
    }
  } finally {
    await server.close();
  }
});

test('Redis errors are counted while Redis is away', async () => {
  const redis = await startRedis();
  const server = await startTestServer({ env: { REDIS_URL: redis.url } });
  try {
    expect(sample(await scrape(server), 'qrlogin_redis_errors_total')).toBe(0);
    await redis.stop(true);
    expect((await call(server.url, 'POST', '/api/login-sessions')).status).toBe(503);
    expect(sample(await scrape(server), 'qrlogin_redis_errors_total')).toBeGreaterThanOrEqual(1);
  } finally {
    await server.close();
    await redis.stop();
  }
});

describe('push timer', () => {
  const setup = () => {
    const histogram = new Histogram({ name: 'push_seconds', help: 'x', buckets: [1], registers: [new Registry()] });
    const count = async () => (await histogram.get()).values.find((v) => v.metricName === 'push_seconds_count')?.value;
    return { timer: createPushTimer(histogram), count };
  };

  test('times an emit made while its write is delivered, once', async () => {
    const { timer, count } = setup();
    const snapshot = { id: 's1', version: 2 };
    timer.deliver(snapshot, epochNow() - 5, () => timer.emitted(snapshot));
    timer.emitted(snapshot); // a later emit of the same version is not a second push
    expect(await count()).toBe(1);
  });

  test('times an emit that came first by another path (a keyspace hint) when the write time arrives', async () => {
    const { timer, count } = setup();
    const snapshot = { id: 's2', version: 3 };
    timer.emitted(snapshot);
    expect(await count()).toBe(0);
    timer.deliver(snapshot, epochNow() - 5, () => undefined); // the hub drops the duplicate: no emit
    expect(await count()).toBe(1);
  });
});
