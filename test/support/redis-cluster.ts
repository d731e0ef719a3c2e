import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort } from './ports';
import { startRedis, type RedisProcess } from './redis-server';

const run = promisify(execFile);

export interface RedisClusterProcess {
  masters: RedisProcess[];
  /** For REDIS_CLUSTER_NODES. */
  nodes: string;
  stop(): Promise<void>;
}

/**
 * A real Redis Cluster of `count` masters (no replicas) on loopback: each
 * redis-server with cluster mode and its own bus port, joined with
 * `redis-cli --cluster create`, returned once every node reports cluster_state:ok.
 */
export async function startRedisCluster(count = 3): Promise<RedisClusterProcess> {
  const masters: RedisProcess[] = [];
  const stop = async () => {
    await Promise.all(masters.map((m) => m.stop(true)));
  };
  try {
    for (let i = 0; i < count; i++) {
      const busPort = await freePort();
      masters.push(await startRedis(['--cluster-enabled', 'yes', '--cluster-port', String(busPort), '--cluster-node-timeout', '5000']));
    }
    const addresses = masters.map((m) => `127.0.0.1:${m.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-yes'], { timeout: 30000 });
    const deadline = Date.now() + 20000;
    for (const master of masters) {
      while (!(await clusterOk(master.port))) {
        if (Date.now() > deadline) throw new Error(`cluster did not become ok on ${master.port}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return { masters, nodes: addresses.join(','), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function clusterOk(port: number): Promise<boolean> {
  const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info'], { timeout: 5000 });
  return /cluster_state:ok/.test(stdout);
}
