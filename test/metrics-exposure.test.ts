/**
 * /metrics is not public (issue 15 item 6): on the app port it needs the
 * METRICS_TOKEN bearer, and without a token it is not there at all; a
 * METRICS_PORT listener (loopback by default) serves it to the scraper.
 * Through the shipped nginx it is refused: test/scale/nginx.test.ts.
 */
import { bearer, call } from './support/client';
import { freePort } from './support/ports';
import { startNode, type NodeProcess } from './support/node-process';
import { TEST_METRICS_TOKEN } from './support/server';

describe('a node without METRICS_TOKEN and with METRICS_PORT', () => {
  let node: NodeProcess;
  let metricsPort: number;
  beforeAll(async () => {
    metricsPort = await freePort();
    node = await startNode({ METRICS_TOKEN: '', METRICS_PORT: String(metricsPort) });
  });
  afterAll(() => node?.stop('SIGKILL'));

  test('the app port has no /metrics, whatever the Authorization', async () => {
    for (const headers of [{}, bearer(TEST_METRICS_TOKEN), bearer('')]) {
      expect(await call(node.url, 'GET', '/metrics', { headers })).toMatchObject({ status: 404, body: { error: 'not_found' } });
    }
  });

  test('the metrics port serves Prometheus text on loopback, and nothing else', async () => {
    expect(node.output()).toContain(`metrics on http://127.0.0.1:${metricsPort}/metrics`);
    const res = await call(`http://127.0.0.1:${metricsPort}`, 'GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/^qrlogin_sessions_created_total 0$/m);
    for (const [method, path] of [['GET', '/'], ['GET', '/healthz'], ['POST', '/metrics'], ['GET', '/api/login-sessions']]) {
      expect((await call(`http://127.0.0.1:${metricsPort}`, method as string, path as string)).status).toBe(404);
    }
  });
});

describe('a node with METRICS_TOKEN', () => {
  let node: NodeProcess;
  beforeAll(async () => {
    node = await startNode({ METRICS_TOKEN: TEST_METRICS_TOKEN });
  });
  afterAll(() => node?.stop('SIGKILL'));

  test('the app port serves /metrics with the token only; without it or with another, it looks like no route', async () => {
    for (const headers of [{}, bearer('not-the-metrics-token-0123456789'), { authorization: `Basic ${TEST_METRICS_TOKEN}` }, bearer(`${TEST_METRICS_TOKEN}x`)]) {
      expect(await call(node.url, 'GET', '/metrics', { headers })).toMatchObject({ status: 404, body: { error: 'not_found' } });
    }
    const res = await call(node.url, 'GET', '/metrics', { headers: bearer(TEST_METRICS_TOKEN) });
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/^qrlogin_sessions_created_total /m);
  });
});
