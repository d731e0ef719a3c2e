/**
 * What Redis sees of a login: every command and pub/sub message qrlogin sends
 * (Redis MONITOR on a redis-server of this test's own) during a complete
 * login with a socket, a long poll and both redeem channels. The web token
 * and the browser secret must never be among them (PROTOCOL.md: "A token
 * never travels through Redis pub/sub"; the server stores only a hash of the secret).
 */
import { connect, type Socket as TcpSocket } from 'node:net';
import Redis from 'ioredis';
import type { Socket } from 'socket.io-client';
import { call, connectBrowser, createLogin, mobile, redeemHttp, secretHeader, waitForState } from './support/client';
import { waitFor } from './support/expect';
import { startRedis, type RedisProcess } from './support/redis-server';
import { startTestServer, type TestServer } from './support/server';

let redis: RedisProcess;
let server: TestServer;
let monitor: TcpSocket;
let watcher: Redis;
/** MONITOR's output so far: one line per command, arguments quoted. */
let seenText = '';
const seenLines = () => seenText.split('\r\n');
const sockets: Socket[] = [];

beforeAll(async () => {
  redis = await startRedis();
  watcher = new Redis(redis.url);
  // A plain connection: ioredis' monitor mode can trip over lines arriving during its ready check.
  monitor = connect(redis.port, '127.0.0.1');
  monitor.setEncoding('utf8');
  monitor.on('data', (chunk: string) => (seenText += chunk));
  monitor.write('MONITOR\r\n');
  await waitFor(() => seenText.startsWith('+OK'));
  server = await startTestServer({ env: { REDIS_URL: redis.url } });
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await server?.close();
  monitor?.destroy();
  watcher?.disconnect();
  await redis?.stop();
});

test('a whole login sends Redis neither the web token nor the browser secret', async () => {
  const tokens: string[] = [];
  const secrets: string[] = [];
  const codes: string[] = [];
  for (const channel of ['socket', 'http'] as const) {
    const login = await createLogin(server.url);
    secrets.push(login.secret);
    codes.push(login.code);
    const socket = await connectBrowser(server.url, { id: login.id, secret: login.secret });
    sockets.push(socket);
    await waitForState(socket);
    const longPoll = call(server.url, 'GET', `/api/login-sessions/${login.id}?after=3&waitMs=20000`, { headers: secretHeader(login) });
    await mobile(server.url, 'scan', 'ana', { qr: login.qr.content });
    await mobile(server.url, 'confirm', 'ana', { id: login.id, code: login.code });
    await waitForState(socket, (s) => s.state === 'confirmed');
    const answer = channel === 'socket' ? await socket.timeout(5000).emitWithAck('redeem') : (await redeemHttp(server.url, login)).body;
    expect(typeof answer.token).toBe('string');
    tokens.push(answer.token);
    const polled = (await longPoll).body;
    expect(polled).toEqual({ id: login.id, state: 'redeemed', version: 4, expiresAt: login.expiresAt, user: { id: 'ana', displayName: 'ANA' } });
    await waitForState(socket, (s) => s.state === 'redeemed');
  }

  // Once MONITOR shows a command sent now, it has shown everything before it.
  const marker = `end-of-login-${Date.now()}`;
  await watcher.echo(marker);
  await waitFor(() => seenText.includes(marker));
  const seen = seenLines();
  // It did see the traffic: the sessions were written by script and the changes published.
  expect(seen.some((line) => /\] "(evalsha|eval)" /i.test(line))).toBe(true);
  expect(seen.some((line) => /\] "publish" /i.test(line))).toBe(true);
  // ...with their arguments: the QR code, which the store does keep, shows up (so a token would too).
  for (const code of codes) expect(seen.some((line) => line.includes(code))).toBe(true);
  expect(seen.some((line) => /\] "publish" /i.test(line) && line.includes('redeemed'))).toBe(true);
  for (const secret of [...tokens, ...secrets]) {
    expect(seen.filter((line) => line.includes(secret))).toEqual([]);
  }
  // Not even a piece of a token: its signature part is unique to it.
  for (const token of tokens) expect(seen.filter((line) => line.includes(token.split('.')[2] as string))).toEqual([]);
});
