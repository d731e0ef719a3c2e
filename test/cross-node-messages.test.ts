/**
 * Nodes tell each other about transitions over Redis pub/sub, which anyone
 * with access to Redis can write to: a malformed message must be dropped, and
 * a well-formed one from another node must reach this node's browser.
 */
import type { Socket } from 'socket.io-client';
import { connectBrowser, createLogin, mobile, waitForState } from './support/client';
import { startTestServer, type TestServer } from './support/server';

let a: TestServer;
let b: TestServer;
let socket: Socket | undefined;
beforeAll(async () => {
  a = await startTestServer();
  b = await startTestServer({ env: { REDIS_KEY_PREFIX: keyPrefixOf(a) } });
});
afterEach(() => socket?.close());
afterAll(async () => {
  await b.close();
  await a.close();
});

function keyPrefixOf(server: TestServer): string {
  return (server.qrlogin.store as unknown as { keyPrefix: string }).keyPrefix;
}

test('garbage on the nodes channel is dropped; the node keeps serving and pushing', async () => {
  const login = await createLogin(a.url);
  socket = await connectBrowser(a.url, { id: login.id, secret: login.secret });
  await waitForState(socket, (s) => s.version === 1);
  for (const garbage of [null, 'text', 42, { id: login.id }, { version: 9 }, { id: 7, version: 'x' }]) {
    b.io.of('/login').serverSideEmit('qrlogin:state', garbage);
  }
  // The scan is written on B: A's browser hears of it through the same channel.
  expect((await mobile(b.url, 'scan', 'ana', { id: login.id, code: login.code })).status).toBe(200);
  await waitForState(socket, (s) => s.state === 'scanned' && s.version === 2);
  expect((await fetch(`${a.url}/healthz`)).status).toBe(200);
});
