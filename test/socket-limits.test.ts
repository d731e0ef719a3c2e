/**
 * Sockets with limits (issue 15 item 2), against real node processes: the
 * default namespace `/` refuses everyone and its connection is closed; every
 * Engine.IO handshake counts per IP, whatever namespace follows (or none);
 * one IP holds at most RATE_LIMIT_OPEN_SOCKETS_PER_IP connections at once per
 * node, and a closed one frees its slot. (A `/login` socket closed once its
 * session is final: test/socket.test.ts, test/expiry.test.ts.)
 */
import { randomBytes } from 'node:crypto';
import { io, Manager, type Socket } from 'socket.io-client';
import { connectBrowser, createLogin } from './support/client';
import { startNode, type NodeProcess } from './support/node-process';
import { waitFor } from './support/wait';

/** Opens a bare Engine.IO connection (no namespace); resolves the manager when open, or the error. */
function openEngine(url: string, headers: Record<string, string> = {}): Promise<{ manager: Manager; error?: Error }> {
  const manager = new Manager(url, { transports: ['websocket'], reconnection: false, autoConnect: false, extraHeaders: headers });
  return new Promise((resolve) => manager.open((error) => resolve({ manager, error })));
}

// Exact counts: a node counts alone only when Redis is away, not when a loaded machine slows it.
const redisEnv = () => ({
  REDIS_URL: process.env.TEST_REDIS_URL as string,
  REDIS_KEY_PREFIX: `test:sockets:${randomBytes(4).toString('hex')}:`,
  RATE_LIMIT_REDIS_WAIT_MS: '2000',
});

describe('the default namespace', () => {
  let node: NodeProcess;
  beforeAll(async () => {
    node = await startNode(redisEnv());
  });
  afterAll(() => node?.stop('SIGKILL'));

  test.each([['websocket'], ['polling']])('refuses every socket over %s and closes its connection', async (transport) => {
    const socket: Socket = io(node.url, { transports: [transport], reconnection: false, forceNew: true });
    const error = await new Promise<Error>((resolve) => {
      socket.once('connect', () => resolve(new Error('connected')));
      socket.once('connect_error', resolve);
    });
    expect(error.message).toBe('not_found');
    await waitFor(() => socket.io.engine?.readyState !== 'open');
    socket.close();
  });
});

describe('Engine.IO handshakes per IP (RATE_LIMIT_CONNECTIONS_PER_IP=10)', () => {
  let node: NodeProcess;
  beforeAll(async () => {
    node = await startNode({ ...redisEnv(), RATE_LIMIT_CONNECTIONS_PER_IP: '10', TRUST_PROXY: '1' });
  });
  afterAll(() => node?.stop('SIGKILL'));

  test('every connection counts, namespace or not: 15 bare connections from one IP, 10 open', async () => {
    const results = [];
    for (let i = 0; i < 15; i++) {
      const { manager, error } = await openEngine(node.url, { 'x-forwarded-for': '203.0.113.5' });
      results.push(error ? 'refused' : 'open');
      manager.engine?.close();
    }
    expect(results).toEqual([...Array(10).fill('open'), ...Array(5).fill('refused')]);
    // Another client is counted on its own.
    const other = await openEngine(node.url, { 'x-forwarded-for': '203.0.113.6' });
    expect(other.error).toBeUndefined();
    other.manager.engine?.close();
  });
});

describe('open connections per IP (RATE_LIMIT_OPEN_SOCKETS_PER_IP=5)', () => {
  let node: NodeProcess;
  const managers: Manager[] = [];
  const sockets: Socket[] = [];
  beforeAll(async () => {
    node = await startNode({ ...redisEnv(), RATE_LIMIT_OPEN_SOCKETS_PER_IP: '5', TRUST_PROXY: '1' });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    for (const manager of managers) manager.engine?.close();
    await node?.stop('SIGKILL');
  });

  test('one IP (or its /64) holds 5 at once; a 6th is refused until one closes', async () => {
    const from = (i: number) => ({ 'x-forwarded-for': `2001:db8:77:1::${i + 1}` });
    for (let i = 0; i < 5; i++) {
      const opened = await openEngine(node.url, from(i));
      expect(opened.error).toBeUndefined();
      managers.push(opened.manager);
    }
    const sixth = await openEngine(node.url, from(5));
    expect(sixth.error).toBeDefined();
    // A /login socket of that client is refused too, before its namespace is asked.
    const login = await createLogin(node.url);
    await expect(connectBrowser(node.url, { id: login.id, secret: login.secret }, ['websocket'], { extraHeaders: from(6) })).rejects.toThrow();
    // Another client is not affected.
    sockets.push(await connectBrowser(node.url, { id: login.id, secret: login.secret }, ['websocket'], { extraHeaders: { 'x-forwarded-for': '203.0.113.9' } }));
    // One closes: its slot is free again, for one more.
    managers.shift()?.engine?.close();
    const again = await waitFor(async () => {
      const attempt = await openEngine(node.url, from(7));
      if (attempt.error) return undefined;
      return attempt.manager;
    });
    managers.push(again);
    expect((await openEngine(node.url, from(8))).error).toBeDefined();
  });
});
