/**
 * Slow clients (issue 15 item 6): a client that trickles its headers or its
 * body is cut off by the node's timeouts instead of holding a connection for
 * Node's defaults (60 s of headers, 300 s per request, checked every 30 s).
 * The timeouts are set short here so the tests run quickly; what is asserted
 * is who closes the connection: the server, while the client is still sending.
 */
import { connect, type Socket } from 'node:net';
import { createLogin, secretHeader, call } from './support/client';
import { startNode, type NodeProcess } from './support/node-process';
import { startTestServer, type TestServer } from './support/server';

interface Trickle {
  /** What the server sent before it closed the connection. */
  closedWith: Promise<string>;
  /** How many chunks the client had sent when the server closed it. */
  sent(): number;
}

/** Opens a raw connection, sends `head`, then one byte of `drip` every 100 ms until the server closes it. */
function trickle(port: number, head: string, drip: string): Trickle {
  const socket: Socket = connect(port, '127.0.0.1');
  let received = '';
  let sent = 0;
  socket.on('data', (chunk) => (received += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  socket.write(head);
  const timer = setInterval(() => {
    if (!socket.destroyed && socket.writable) {
      socket.write(drip);
      sent++;
    }
  }, 100);
  const closedWith = new Promise<string>((resolve) =>
    socket.once('close', () => {
      clearInterval(timer);
      resolve(received);
    }),
  );
  return { closedWith, sent: () => sent };
}

const SLOW_BODY_HEAD = 'POST /api/login-sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 16384\r\n\r\n';

describe('npm start with short HTTP timeouts', () => {
  let node: NodeProcess;
  beforeAll(async () => {
    node = await startNode({
      HTTP_HEADERS_TIMEOUT_MS: '1000',
      HTTP_REQUEST_TIMEOUT_MS: '1500',
      // Above the request timeout, so the slow body below is cut by the server's requestTimeout.
      HTTP_BODY_TIMEOUT_MS: '60000',
      REDIS_URL: process.env.TEST_REDIS_URL as string,
    });
  });
  afterAll(() => node?.stop('SIGKILL'));

  test('headers sent a byte at a time: answered 408 and closed by the server', async () => {
    const slow = trickle(node.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ', 'a');
    const reply = await slow.closedWith;
    expect(reply).toMatch(/^HTTP\/1\.1 408 /);
    expect(slow.sent()).toBeGreaterThan(0);
  });

  test('a 16 KiB body sent a byte at a time: closed by the server long before the body is complete', async () => {
    const slow = trickle(node.port, SLOW_BODY_HEAD, 'x');
    const reply = await slow.closedWith;
    expect(reply === '' || /^HTTP\/1\.1 408 /.test(reply)).toBe(true);
    expect(slow.sent()).toBeLessThan(16384);
    // The node still serves everyone else.
    expect((await call(node.url, 'GET', '/healthz')).status).toBe(200);
  });

  test('a long poll waits past the request timeout: the timeout covers reading the request, not the answer', async () => {
    const login = await createLogin(node.url);
    const poll = await call(node.url, 'GET', `/api/login-sessions/${login.id}?after=1&waitMs=3000`, { headers: secretHeader(login) });
    expect(poll).toMatchObject({ status: 200, body: { state: 'pending', version: 1 } });
  });
});

describe('library mode: the site\'s own server keeps Node\'s default timeouts', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { HTTP_BODY_TIMEOUT_MS: '1000' } });
  });
  afterAll(() => server.close());

  test('a body sent a byte at a time is cut by qrlogin\'s body deadline', async () => {
    expect(server.http.requestTimeout).toBe(300_000);
    const slow = trickle(Number(new URL(server.url).port), SLOW_BODY_HEAD, 'x');
    await slow.closedWith;
    expect(slow.sent()).toBeLessThan(16384);
  });

  test('a body sent at once is read as before', async () => {
    const res = await call(server.url, 'POST', '/api/login-sessions', { body: {} });
    expect(res.status).toBe(201);
  });
});
