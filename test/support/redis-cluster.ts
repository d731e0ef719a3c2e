import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort } from './ports';
import { startRedis, type RedisProcess } from './redis-server';

const run = promisify(execFile);

export interface RedisClusterProcess {
  masters: RedisProcess[];
  /** With `replicaOfFirst`: a replica of masters[0]. */
  replica?: RedisProcess;
  /** For REDIS_CLUSTER_NODES. */
  nodes: string;
  stop(): Promise<void>;
}

/**
 * A real Redis Cluster of `count` masters on loopback (and with `replicaOfFirst`
 * one replica of the first): each redis-server with cluster mode and its own
 * bus port, joined with `redis-cli --cluster create`, returned once every node
 * reports cluster_state:ok.
 */
export async function startRedisCluster(count = 3, options: { replicaOfFirst?: boolean } = {}): Promise<RedisClusterProcess> {
  const masters: RedisProcess[] = [];
  let replica: RedisProcess | undefined;
  const stop = async () => {
    await Promise.all([...masters, replica].map((m) => m?.stop(true)));
  };
  const startClusterNode = async () =>
    startRedis(['--cluster-enabled', 'yes', '--cluster-port', String(await freePort()), '--cluster-node-timeout', '5000']);
  try {
    for (let i = 0; i < count; i++) masters.push(await startClusterNode());
    const addresses = masters.map((m) => `127.0.0.1:${m.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-yes'], { timeout: 30000 });
    if (options.replicaOfFirst) {
      replica = await startClusterNode();
      const [first, replicaPort] = [masters[0] as RedisProcess, String(replica.port)];
      const { stdout: firstId } = await run('redis-cli', ['-p', String(first.port), 'cluster', 'myid']);
      const addNode = ['--cluster', 'add-node', `127.0.0.1:${replicaPort}`, `127.0.0.1:${first.port}`];
      await run('redis-cli', [...addNode, '--cluster-slave', '--cluster-master-id', firstId.trim()], { timeout: 30000 });
      const inSync = async () => /master_link_status:up/.test((await run('redis-cli', ['-p', replicaPort, 'info', 'replication'])).stdout);
      await until(inSync, 'replica in sync');
    }
    for (const node of [...masters, ...(replica ? [replica] : [])]) await until(() => clusterOk(node.port), `cluster ok on ${node.port}`);
    return { masters, replica, nodes: addresses.join(','), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function clusterOk(port: number): Promise<boolean> {
  const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info'], { timeout: 5000 });
  return /cluster_state:ok/.test(stdout);
}

/** Polls `check` every 100 ms until it holds (20 s at most). */
export async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20000;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The slot ranges a node serves as master, from CLUSTER SLOTS. */
export async function slotRangesOf(port: number): Promise<[number, number][]> {
  const { stdout } = await run('redis-cli', ['-p', String(port), '--json', 'cluster', 'slots']);
  const ranges = JSON.parse(stdout) as [number, number, [string, number, string]][];
  return ranges.filter((r) => r[2][1] === port).map((r) => [r[0], r[1]]);
}
