import { call, connectBrowser, createLogin, nextDisconnect } from '../support/client';
import { waitForMetric } from '../support/metrics';
import { startNode, stopNodes, type NodeProcess } from '../support/node-process';

describe('graceful shutdown on SIGTERM', () => {
  let node: NodeProcess | undefined;
  afterAll(() => stopNodes([node]));

  test('answers the held long poll, closes sockets so clients reconnect, closes Redis and exits 0', async () => {
    node = await startNode({ REDIS_URL: process.env.TEST_REDIS_URL as string, SHUTDOWN_TIMEOUT_MS: '20000' });
    const [watched, login] = [await createLogin(node.url), await createLogin(node.url)];
    const socket = await connectBrowser(node.url, { id: watched.id, secret: watched.secret });
    const socketClosed = nextDisconnect(socket);

    const pollStarted = Date.now();
    const longPoll = call(node.url, 'GET', `/api/login-sessions/${login.id}?after=1&waitMs=30000`, {
      headers: { 'x-login-secret': login.secret },
    });
    // Two sessions waited on: the socket's and the long poll's, now held by the node.
    expect(await waitForMetric(node.url, 'qrlogin_watched_sessions', (n) => n === 2)).toBe(2);
    const exitCode = node.stop('SIGTERM');

    const answer = await longPoll;
    expect(answer).toMatchObject({ status: 200, body: { id: login.id, state: 'pending', version: 1 } });
    // Woken by the shutdown, far before its 30 s wait (or the 20 s shutdown bound) would have ended it.
    expect(Date.now() - pollStarted).toBeLessThan(15000);
    // "transport close" (not "io server disconnect") is the reason on which Socket.IO clients reconnect by themselves.
    expect(await socketClosed).toBe('transport close');
    expect(socket.active).toBe(true);
    expect(await exitCode).toBe(0);
    expect(node.output()).toContain('shut down');
    socket.close();
  });
});
