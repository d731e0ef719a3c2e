/**
 * IPv6 clients are limited per network, not per address (issue 15 item 1):
 * one client rotating through the addresses of its own /64 gets the budget of
 * one client on every per-IP limit — creation, mobile calls, socket
 * handshakes, session reads. Two nodes behind a trusted proxy (X-Forwarded-For)
 * share the counts in Redis; IPV6_PREFIX_LENGTH widens the network.
 */
import { randomBytes } from 'node:crypto';
import { appToken, bearer, call, connectBrowser, createLogin, secretHeader, type CreatedLogin } from './support/client';
import { startNodes, stopNodes, type NodeProcess } from './support/node-process';

const LIMIT = 10;
const ROTATIONS = 25;

/** `count` distinct addresses inside the /64 `net` (e.g. `2001:db8:0:1`), random interface ids. */
const addressesIn = (net: string, count: number): string[] =>
  Array.from({ length: count }, () => `${net}:${[0, 1, 2, 3].map(() => randomBytes(2).toString('hex')).join(':')}`);

const from = (ip: string) => ({ 'x-forwarded-for': ip });

/** Statuses of one request per address, alternating between the nodes. */
async function statuses(nodes: NodeProcess[], addresses: string[], send: (base: string, ip: string) => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (const [i, ip] of addresses.entries()) out.push(await send(nodes[i % nodes.length]!.url, ip));
  return out;
}
const count = (list: number[], status: number) => list.filter((s) => s === status).length;

function startCluster(extra: Record<string, string> = {}): Promise<NodeProcess[]> {
  return startNodes(2, {
    REDIS_URL: process.env.TEST_REDIS_URL as string,
    REDIS_KEY_PREFIX: `test:ipv6:${randomBytes(4).toString('hex')}:`,
    TRUST_PROXY: '1',
    RATE_LIMIT_CREATE_PER_IP: String(LIMIT),
    RATE_LIMIT_MOBILE_PER_IP: String(LIMIT),
    RATE_LIMIT_HANDSHAKES_PER_IP: String(LIMIT),
    RATE_LIMIT_SESSION_READS: String(LIMIT),
    // Exact counts: a node counts alone only when Redis is away, not when a loaded machine slows it.
    RATE_LIMIT_REDIS_WAIT_MS: '2000',
    ...extra,
  });
}

describe('per-IP limits of IPv6 clients, keyed by /64 (default)', () => {
  let nodes: NodeProcess[] = [];
  beforeAll(async () => {
    nodes = await startCluster();
  });
  afterAll(() => stopNodes(nodes));

  test('creation: 25 addresses of one /64 create 10 sessions; another /64 still has its own budget', async () => {
    const create = async (base: string, ip: string) => (await call(base, 'POST', '/api/login-sessions', { headers: from(ip) })).status;
    const rotated = await statuses(nodes, addressesIn('2001:db8:0:1', ROTATIONS), create);
    expect(count(rotated, 201)).toBe(LIMIT);
    expect(count(rotated, 429)).toBe(ROTATIONS - LIMIT);
    expect(await create(nodes[0]!.url, '2001:db8:0:2::1')).toBe(201);
    // IPv4 clients are still counted by address.
    expect(await create(nodes[0]!.url, '198.51.100.7')).toBe(201);
  });

  test('mobile calls: 25 addresses of one /64 get 10 answers, then 429', async () => {
    const login = await createLogin(nodes[0]!.url, from('2001:db8:9:9::1'));
    const token = appToken('ana');
    const scanWrong = async (base: string, ip: string) =>
      (await call(base, 'POST', '/api/mobile/scan', { body: { id: login.id, code: 'A'.repeat(22) }, headers: { ...bearer(token), ...from(ip) } })).status;
    const rotated = await statuses(nodes, addressesIn('2001:db8:0:3', ROTATIONS), scanWrong);
    expect(count(rotated, 403)).toBe(LIMIT);
    expect(count(rotated, 429)).toBe(ROTATIONS - LIMIT);
  });

  test('socket handshakes: 25 addresses of one /64 get 10 sockets, then rate_limited', async () => {
    const login = await createLogin(nodes[0]!.url, from('2001:db8:9:9::2'));
    const results: string[] = [];
    for (const [i, ip] of addressesIn('2001:db8:0:4', ROTATIONS).entries()) {
      try {
        const socket = await connectBrowser(nodes[i % 2]!.url, { id: login.id, secret: login.secret }, ['websocket'], { extraHeaders: from(ip) });
        results.push('connected');
        socket.close();
      } catch (err) {
        results.push((err as Error).message);
      }
    }
    expect(results.filter((r) => r === 'connected')).toHaveLength(LIMIT);
    expect(results.filter((r) => r === 'rate_limited')).toHaveLength(ROTATIONS - LIMIT);
  });

  test('session reads: 25 addresses of one /64 read one session 10 times, then 429', async () => {
    const login: CreatedLogin = await createLogin(nodes[0]!.url, from('2001:db8:9:9::3'));
    const read = async (base: string, ip: string) => (await call(base, 'GET', `/api/login-sessions/${login.id}`, { headers: { ...secretHeader(login), ...from(ip) } })).status;
    const rotated = await statuses(nodes, addressesIn('2001:db8:0:5', ROTATIONS), read);
    expect(count(rotated, 200)).toBe(LIMIT);
    expect(count(rotated, 429)).toBe(ROTATIONS - LIMIT);
  });
});

describe('IPV6_PREFIX_LENGTH=56', () => {
  let nodes: NodeProcess[] = [];
  beforeAll(async () => {
    nodes = await startCluster({ IPV6_PREFIX_LENGTH: '56' });
  });
  afterAll(() => stopNodes(nodes));

  test('addresses of different /64s inside one /56 share one creation budget; another /56 does not', async () => {
    const create = async (base: string, ip: string) => (await call(base, 'POST', '/api/login-sessions', { headers: from(ip) })).status;
    const subnets = Array.from({ length: ROTATIONS }, (_, i) => `2001:db8:0:${(0x100 + i).toString(16)}`);
    const rotated = await statuses(nodes, subnets.map((net) => addressesIn(net, 1)[0]!), create);
    expect(count(rotated, 201)).toBe(LIMIT);
    expect(count(rotated, 429)).toBe(ROTATIONS - LIMIT);
    expect(await create(nodes[0]!.url, '2001:db8:0:200::1')).toBe(201);
  });
});
