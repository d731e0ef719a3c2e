import { randomBytes } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { bearer, call, connectBrowser, createLogin, mobile, statesOf, waitForState } from '../support/client';
import { scrapeMetrics, waitForMetric } from '../support/metrics';
import { freePort } from '../support/ports';
import { confFor, startNginx, type NginxProcess } from '../support/nginx';
import { startNodes, stopNodes, type NodeProcess } from '../support/node-process';
import { TEST_METRICS_TOKEN } from '../support/server';

describe('two nodes behind Debian nginx with deploy/nginx.conf', () => {
  let nginx: NginxProcess;
  let nodes: NodeProcess[] = [];
  let socket: Socket | undefined;

  beforeAll(async () => {
    const port = await freePort();
    nodes = await startNodes(2, {
      REDIS_URL: process.env.TEST_REDIS_URL as string,
      REDIS_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}:`,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      TRUST_PROXY: '1',
    });
    nginx = await startNginx(
      nodes.map((node) => `127.0.0.1:${node.port}`),
      port,
    );
  });
  afterEach(() => socket?.close());
  afterAll(async () => {
    await nginx?.stop();
    await stopNodes(nodes);
  });

  test('the shipped config has sticky hashing, upgrade headers and timeouts above ping interval + timeout', () => {
    const conf = confFor(['127.0.0.1:1'], 8080);
    expect(conf).toMatch(/hash \$remote_addr consistent;/);
    expect(conf).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(conf).toMatch(/proxy_http_version 1\.1;/);
    const readTimeout = Number(/proxy_read_timeout (\d+)s;/.exec(conf)?.[1]);
    expect(readTimeout).toBeGreaterThan(25 + 20);
    expect(readTimeout).toBeGreaterThan(30); // the longest long poll
  });

  test('/metrics is not served through nginx, not even with the metrics token the nodes accept', async () => {
    expect((await scrapeMetrics(nodes[0]!.url)).status).toBe(200);
    for (const path of ['/metrics', '/metrics?x=1']) {
      const res = await call(nginx.url, 'GET', path, { headers: bearer(TEST_METRICS_TOKEN) });
      expect(res).toMatchObject({ status: 404, body: { error: 'not_found' } });
    }
  });

  test('the demo token endpoint is answered by nginx itself (404), never by a node', async () => {
    const res = await fetch(`${nginx.url}/api/demo/app-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"userId":"x"}' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'not_found' });
    // Every node answer carries X-Request-Id: this one never reached a node.
    expect(res.headers.get('x-request-id')).toBeNull();
    expect((await fetch(`${nginx.url}/healthz`)).headers.get('x-request-id')).not.toBeNull();
  });

  test.each([[['websocket']], [['polling']], [['polling', 'websocket']]])(
    'a full login through nginx with transports %j',
    async (transports) => {
      const login = await createLogin(nginx.url);
      expect(login.qr.content.startsWith(`${nginx.url}/m/login?`)).toBe(true);
      socket = await connectBrowser(nginx.url, { id: login.id, secret: login.secret }, transports);
      await waitForState(socket, (s) => s.version === 1);

      const scan = await mobile(nginx.url, 'scan', 'ana', { qr: login.qr.content });
      expect(scan).toMatchObject({ status: 200, body: { request: { ip: '127.0.0.1' } } });
      await waitForState(socket, (s) => s.state === 'scanned');
      await mobile(nginx.url, 'confirm', 'ana', { id: login.id, code: login.code });
      await waitForState(socket, (s) => s.state === 'confirmed');
      const ack = await socket.timeout(5000).emitWithAck('redeem');
      expect(ack).toMatchObject({ tokenType: 'Bearer', user: { id: 'ana' } });
      expect(socket.io.engine.transport.name).toBe(transports[transports.length - 1]);
      const me = await call(nginx.url, 'GET', '/api/me', { headers: { authorization: `Bearer ${ack.token}` } });
      expect(me).toMatchObject({ status: 200, body: { user: { id: 'ana' } } });
    },
  );

  test('a long poll through nginx is held and answered when the phone scans', async () => {
    const login = await createLogin(nginx.url);
    const poll = call(nginx.url, 'GET', `/api/login-sessions/${login.id}?after=1&waitMs=20000`, {
      headers: { 'x-login-secret': login.secret },
    });
    await mobile(nginx.url, 'scan', 'ben', { qr: login.qr.content });
    expect(await poll).toMatchObject({ status: 200, body: { state: 'scanned', version: 2 } });
  });

  // Last: it kills one of the two nodes.
  test('the node holding the socket is SIGKILLed: the client reconnects through nginx to the other and finishes', async () => {
    const login = await createLogin(nginx.url);
    socket = await connectBrowser(nginx.url, { id: login.id, secret: login.secret }, ['websocket'], {
      reconnection: true,
      reconnectionDelay: 100,
      reconnectionDelayMax: 500,
    });
    await mobile(nginx.url, 'scan', 'cleo', { qr: login.qr.content });
    await waitForState(socket, (s) => s.state === 'scanned');

    const sockets = await Promise.all(nodes.map((node) => waitForMetric(node.url, 'qrlogin_connected_sockets', () => true)));
    const holder = nodes[sockets.findIndex((n) => (n ?? 0) > 0)] as NodeProcess;
    const survivor = nodes.find((node) => node !== holder) as NodeProcess;
    const moved = socket;
    const reconnected = new Promise((resolve) => moved.io.once('reconnect', resolve));
    const seenBefore = statesOf(moved).length;
    const firstStateAfter = new Promise((resolve) => moved.once('state', resolve));
    await holder.stop('SIGKILL');
    await reconnected;
    expect(await waitForMetric(survivor.url, 'qrlogin_connected_sockets', (n) => n === 1)).toBe(1);
    // Re-read on join: the new node's first word is the current state.
    expect(await firstStateAfter).toMatchObject({ state: 'scanned', version: 2 });
    expect(statesOf(moved).length).toBe(seenBefore + 1);

    expect((await mobile(nginx.url, 'confirm', 'cleo', { id: login.id, code: login.code })).status).toBe(200);
    await waitForState(socket, (s) => s.state === 'confirmed');
    expect(await socket.timeout(5000).emitWithAck('redeem')).toMatchObject({ tokenType: 'Bearer', user: { id: 'cleo' } });
  });
});
