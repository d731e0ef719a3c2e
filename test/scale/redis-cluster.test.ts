import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Redis, { Cluster } from 'ioredis';
import type { Socket } from 'socket.io-client';
import { appToken, call, connectBrowser, createLogin, mobile, statesOf, waitForState, type CreatedLogin } from '../support/client';
import { startNodes, stopNodes, type NodeProcess } from '../support/node-process';
import { slotRangesOf, startRedisCluster, until, type RedisClusterProcess } from '../support/redis-cluster';
import type { RedisProcess } from '../support/redis-server';

const run = promisify(execFile);

describe('three nodes on a 3-master Redis Cluster (sharded pub/sub)', () => {
  const prefix = `test:${randomBytes(4).toString('hex')}:`;
  let cluster: RedisClusterProcess;
  let redis: Cluster;
  let nodes: NodeProcess[] = [];
  const sockets: Socket[] = [];
  const browser = async (node: NodeProcess, login: CreatedLogin) => {
    const socket = await connectBrowser(node.url, { id: login.id, secret: login.secret });
    sockets.push(socket);
    await waitForState(socket, (s) => s.version >= login.version);
    return socket;
  };

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    nodes = await startNodes(3, { REDIS_CLUSTER_NODES: cluster.nodes, REDIS_KEY_PREFIX: prefix, PUBLIC_URL: 'https://login.example.test' });
    redis = new Cluster(cluster.nodes.split(',').map((address) => ({ host: '127.0.0.1', port: Number(address.split(':')[1]) })));
  }, 60000);
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });
  afterAll(async () => {
    redis?.disconnect();
    await stopNodes(nodes);
    await cluster?.stop();
  });

  test('browser socket on A, scan on B, confirm on C, redeem on A', async () => {
    const [a, b, c] = nodes as [NodeProcess, NodeProcess, NodeProcess];
    const login = await createLogin(a.url);
    const socket = await browser(a, login);
    await mobile(b.url, 'scan', 'ana', { qr: login.qr.content });
    await waitForState(socket, (s) => s.state === 'scanned');
    await mobile(c.url, 'confirm', 'ana', { id: login.id, code: login.code });
    await waitForState(socket, (s) => s.state === 'confirmed');
    const ack = await socket.timeout(5000).emitWithAck('redeem');
    expect(ack).toMatchObject({ tokenType: 'Bearer', user: { id: 'ana' } });
    expect(await call(c.url, 'GET', '/api/me', { headers: { authorization: `Bearer ${ack.token}` } })).toMatchObject({ status: 200 });
    await waitForState(socket, (s) => s.state === 'redeemed');
    expect(statesOf(socket).map((s) => s.version)).toEqual([1, 2, 3, 4]);
  });

  test('user codes (v1.1): claimed in their own slots, apart from their sessions, and scanned on another node', async () => {
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    const logins = await Promise.all(Array.from({ length: 6 }, () => createLogin(a.url)));
    const slotOf = (key: string) => redis.cluster('KEYSLOT', key) as Promise<number>;
    let apart = 0;
    for (const login of logins) {
      const userCodeKey = `${prefix}usercode:${login.userCode.replace('-', '')}`;
      expect(await redis.get(userCodeKey)).toBe(login.id);
      if ((await slotOf(userCodeKey)) !== (await slotOf(`${prefix}session:{${login.id}}`))) apart++;
      const scan = await call(b.url, 'POST', '/api/mobile/scan', { body: { userCode: login.userCode }, headers: { authorization: `Bearer ${appToken('ana')}` } });
      expect(scan).toMatchObject({ status: 200, body: { id: login.id, code: login.code, state: 'scanned' } });
    }
    expect(apart).toBeGreaterThan(0);
  });

  test('a node subscribes to a session\'s sharded channel on the master that holds the session, while its browser waits', async () => {
    const [a] = nodes as [NodeProcess];
    const login = await createLogin(a.url);
    const channel = `${prefix}changes:{${login.id}}`;
    const masters = redis.nodes('master');
    const shardSubscribers = async () =>
      Promise.all(masters.map(async (m) => Number(((await m.call('PUBSUB', 'SHARDNUMSUB', channel)) as [string, number])[1])));
    expect(await shardSubscribers()).toEqual(masters.map(() => 0));
    const socket = await browser(a, login);
    const counts = await shardSubscribers();
    expect(counts.reduce((sum, n) => sum + n, 0)).toBe(1);
    // The master with the subscription is the one that holds the session (the others answer MOVED).
    const owner = masters[counts.indexOf(1)] as Redis;
    expect(await owner.exists(`${prefix}session:{${login.id}}`)).toBe(1);
    // No classic channel and no pattern anywhere: every PUBLISH on the cluster stays cheap.
    for (const m of masters) {
      expect(await m.call('PUBSUB', 'CHANNELS', `${prefix}*`)).toEqual([]);
      expect(await m.call('PUBSUB', 'NUMPAT')).toBe(0);
    }
    socket.close();
    await until(async () => (await shardSubscribers()).every((n) => n === 0), 'the node left the shard channel');
  });

  test('keyspace events are heard on every master: a TTL cut short pushes `expired` wherever the session lives', async () => {
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    // Sessions until each master holds one (ids are random, so their slots spread).
    const byMaster = new Map<string, CreatedLogin>();
    for (let i = 0; i < 60 && byMaster.size < 3; i++) {
      const login = await createLogin(a.url);
      const slot = Number(await redis.call('CLUSTER', 'KEYSLOT', `${prefix}session:{${login.id}}`));
      const owner = redis.slots[slot]?.[0] as string;
      if (!byMaster.has(owner)) byMaster.set(owner, login);
    }
    expect(byMaster.size).toBe(3);
    const logins = [...byMaster.values()];
    const watched = await Promise.all(logins.map((login) => browser(b, login)));
    await Promise.all(logins.map((login) => redis.pexpire(`${prefix}session:{${login.id}}:ttl`, 50)));
    for (const socket of watched) expect(await waitForState(socket, (s) => s.state === 'expired', 10000)).toMatchObject({ version: 2 });

    const flags = await Promise.all(redis.nodes('master').map((m) => m.config('GET', 'notify-keyspace-events')));
    for (const [, value] of flags as string[][]) for (const flag of 'Khx') expect(value).toContain(flag);
  });

  // Last: it takes a master away for good.
  test('with a master down, logins in its slots answer 503 quickly and the others still work', async () => {
    const [a] = nodes as [NodeProcess];
    await cluster.masters[0]?.stop(true);
    // Ids are random: batches until some landed in the dead master's slots (a third of them) and some not.
    const answers: { status: number; body: any }[] = [];
    for (let batch = 0; batch < 4 && !(answers.some((r) => r.status === 503) && answers.some((r) => r.status === 201)); batch++) {
      const create = () =>
        fetch(`${a.url}/api/login-sessions`, { method: 'POST', signal: AbortSignal.timeout(15000) }).then(async (res) => ({
          status: res.status,
          body: await res.json(),
        }));
      answers.push(...(await Promise.all(Array.from({ length: 12 }, create))));
    }
    for (const answer of answers) {
      if (answer.status !== 201) expect(answer).toMatchObject({ status: 503, body: { error: 'unavailable' } });
    }
    expect(answers.some((answer) => answer.status === 503)).toBe(true);
    expect(answers.some((answer) => answer.status === 201)).toBe(true);
  });
});

describe('a Redis Cluster failover', () => {
  const prefix = `test:${randomBytes(4).toString('hex')}:`;
  let cluster: RedisClusterProcess;
  let nodes: NodeProcess[] = [];
  let socket: Socket | undefined;
  afterAll(async () => {
    socket?.close();
    await stopNodes(nodes);
    await cluster?.stop();
  });

  test('after a replica takes over, its keyspace events still reach the browsers', async () => {
    cluster = await startRedisCluster(3, { replicaOfFirst: true });
    const [first, replica] = [cluster.masters[0] as RedisProcess, cluster.replica as RedisProcess];
    const slotsOfFirst = await slotRangesOf(first.port);
    nodes = await startNodes(2, { REDIS_CLUSTER_NODES: cluster.nodes, REDIS_KEY_PREFIX: prefix, PUBLIC_URL: 'https://login.example.test' });
    const [a, b] = nodes as [NodeProcess, NodeProcess];

    await run('redis-cli', ['-p', String(replica.port), 'cluster', 'failover']);
    await until(async () => (await slotRangesOf(replica.port)).length > 0, 'replica promoted');

    // A session in the slots the promoted replica now serves.
    const direct = new Redis(replica.url);
    let login: CreatedLogin | undefined;
    for (let i = 0; i < 60 && !login; i++) {
      const candidate = await createLogin(a.url);
      const slot = Number(await direct.call('CLUSTER', 'KEYSLOT', `${prefix}session:{${candidate.id}}`));
      if (slotsOfFirst.some(([from, to]) => slot >= from && slot <= to)) login = candidate;
    }
    if (!login) throw new Error('no session landed in the failed-over slots');
    socket = await connectBrowser(b.url, { id: login.id, secret: login.secret });
    await waitForState(socket, (s) => s.version === 1);
    await direct.pexpire(`${prefix}session:{${login.id}}:ttl`, 50);
    direct.disconnect();
    expect(await waitForState(socket, (s) => s.state === 'expired', 10000)).toMatchObject({ version: 2 });
  });
});
