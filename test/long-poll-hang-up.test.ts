/**
 * Dropped long polls (issue 15 item 4): a client that hangs up is noticed
 * whenever it does — before the poll's Redis reads are done (Redis replies
 * are held 100 ms by a proxy here, so the hang-up surely comes first) or while
 * it waits — and the node lets go of it at once instead of holding it for its
 * whole waitMs. Seen from outside: each poll's request log line (written when
 * its handler ends) and the node's watched-sessions gauge.
 */
import { connect, type Socket } from 'node:net';
import { createLogin, secretHeader, type CreatedLogin } from './support/client';
import { sample, scrapeMetrics } from './support/metrics';
import { startNode, type NodeProcess } from './support/node-process';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy';
import { waitFor } from './support/wait';

const POLLS = 20;

/** Sends a 25 s long poll on a raw connection tagged with `requestId`; resolves once it is handed to the kernel. */
function sendPoll(node: NodeProcess, login: CreatedLogin, requestId: string): Promise<Socket> {
  const socket = connect(node.port, '127.0.0.1');
  socket.on('error', () => undefined);
  const headers = { ...secretHeader(login), 'x-request-id': requestId };
  const request =
    `GET /api/login-sessions/${login.id}?after=1&waitMs=25000 HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
    `${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return new Promise((resolve) => socket.write(request, () => resolve(socket)));
}

/** Request log lines (JSON) the node printed for request ids starting with `prefix`. */
const loggedRequests = (node: NodeProcess, prefix: string) =>
  node
    .output()
    .split('\n')
    .filter((line) => line.includes(`"reqId":"${prefix}`));

const watched = async (node: NodeProcess) => sample((await scrapeMetrics(node.url)).body as string, 'qrlogin_watched_sessions');

describe('long polls whose client hangs up, on a node whose Redis answers slowly', () => {
  let redisProxy: TcpProxy;
  let node: NodeProcess;
  let logins: CreatedLogin[];
  beforeAll(async () => {
    redisProxy = await startTcpProxy(Number(new URL(process.env.TEST_REDIS_URL as string).port), { replyDelayMs: 100 });
    node = await startNode({ REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`, REDIS_KEY_PREFIX: `test:hangup:${process.pid}:` });
    logins = await Promise.all(Array.from({ length: POLLS }, () => createLogin(node.url)));
  });
  afterAll(async () => {
    await node?.stop('SIGKILL');
    await redisProxy?.close();
  });

  test('dropped before the server has read the session: every poll ends at once, none is held', async () => {
    // Each client hangs up as soon as its request is sent: the node's first Redis reply is 100 ms away.
    await Promise.all(logins.map(async (login, i) => (await sendPoll(node, login, `early-${i}`)).destroy()));
    await waitFor(() => loggedRequests(node, 'early-').length === POLLS);
    expect(await watched(node)).toBe(0);
  });

  test('dropped while waiting: every poll is let go as the client leaves', async () => {
    const sockets = await Promise.all(logins.map((login, i) => sendPoll(node, login, `late-${i}`)));
    await waitFor(async () => (await watched(node)) === POLLS);
    expect(loggedRequests(node, 'late-')).toHaveLength(0);
    for (const socket of sockets) socket.destroy();
    await waitFor(() => loggedRequests(node, 'late-').length === POLLS);
    expect(await watched(node)).toBe(0);
  });
});
