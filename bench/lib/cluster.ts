import { join } from 'node:path';
import { startNode, ROOT, type NodeProcess } from '../../test/support/node-process';
import { startRedis, type RedisProcess } from '../../test/support/redis-server';
import type { NodeReply, NodeRequest } from './node-messages';

export interface BenchNode extends NodeProcess {
  ask<T extends NodeReply['type']>(request: NodeRequest, replyType: T): Promise<Extract<NodeReply, { type: T }>>;
}

const BENCH_NODE = join(ROOT, 'dist', 'bench', 'node.js');

/**
 * The limits stay on, so their Redis round trips are part of every figure,
 * but so high that one load generator on one IP never reaches them. Request
 * log lines (info) are off: their cost depends on where the logs go.
 */
const HUGE = '1000000000';
const BENCH_ENV = {
  LOG_LEVEL: 'warn',
  RATE_LIMIT_CREATE_PER_IP: HUGE,
  RATE_LIMIT_MOBILE_PER_IP: HUGE,
  RATE_LIMIT_MOBILE_PER_USER: HUGE,
  RATE_LIMIT_SESSION_READS: HUGE,
  RATE_LIMIT_HANDSHAKES_PER_IP: HUGE,
  RATE_LIMIT_CONNECTIONS_PER_IP: HUGE,
  RATE_LIMIT_BROWSER_PER_IP: HUGE,
  RATE_LIMIT_BROWSER_FAILURES_PER_IP: HUGE,
  // A count, not a rate: the load generator holds thousands of sockets from one address.
  RATE_LIMIT_OPEN_SOCKETS_PER_IP: '0',
};

/**
 * A qrlogin node process (bench/node.ts) against `redis`. With BENCH_CPU_PROF=1
 * each node writes a V8 CPU profile into bench/profiles/ when it stops.
 */
export async function startBenchNode(redis: RedisProcess, env: Record<string, string> = {}): Promise<BenchNode> {
  const execArgv = ['--expose-gc'];
  if (process.env.BENCH_CPU_PROF === '1') execArgv.push('--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench', 'profiles')}`);
  const node = await startNode(
    { REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'bench:', ...BENCH_ENV, ...env },
    { script: BENCH_NODE, execArgv, ipc: true },
  );
  return {
    ...node,
    ask(request, replyType) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`node did not answer ${request.type}`)), 30000);
        const onMessage = (reply: NodeReply) => {
          if (reply.type !== replyType) return;
          clearTimeout(timer);
          node.process.off('message', onMessage);
          resolve(reply as never);
        };
        node.process.on('message', onMessage);
        node.process.send(request);
      });
    },
  };
}

/** Runs `body` with a fresh redis-server and `count` nodes on it, stopping them all afterwards. */
export async function withCluster<T>(
  count: number,
  body: (nodes: BenchNode[], redis: RedisProcess) => Promise<T>,
  env: Record<string, string> = {},
): Promise<T> {
  const redis = await startRedis();
  const nodes: BenchNode[] = [];
  try {
    for (let i = 0; i < count; i++) nodes.push(await startBenchNode(redis, env));
    return await body(nodes, redis);
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    await redis.stop();
  }
}
