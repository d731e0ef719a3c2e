/**
 * Fan-out: what a login on one node costs the nodes and the Redis that take
 * no part in it. A serving node runs whole logins (browser socket and phone
 * on it); idle nodes are attached to the same Redis with nothing of theirs
 * involved. Measured in one run:
 *
 * - each idle node's CPU per foreign login against the serving node's
 *   (/proc/<pid>/stat, user + system), and the pub/sub messages it received
 *   (its qrlogin_pubsub_messages_received_total);
 * - Redis's CPU per login (INFO cpu, used_cpu_sys + used_cpu_user) with one
 *   idle node attached, then with seven.
 */
import Redis from 'ioredis';
import { startBenchNode, type BenchNode } from '../lib/cluster';
import { cpuMs } from '../lib/cpu';
import { json } from '../lib/http';
import { pushRun } from './latency';
import { startRedis } from '../../test/support/redis-server';

export interface FanoutRun {
  logins: number;
  servingCpuMsPerLogin: number;
  /** Mean over the idle nodes, with seven attached. */
  idleCpuMsPerLogin: number;
  idleOverServing: number;
  /** Pub/sub messages an idle node received per foreign login (mean over the idle nodes). */
  idleMessagesPerLogin: number;
  redisCpuUsPerLogin1: number;
  redisCpuUsPerLogin7: number;
  redis7Over1: number;
}

const METRICS_TOKEN = 'bench-fanout-metrics-token-0123456789';

/** Redis's own CPU time so far (user + system), in microseconds. */
async function redisCpuUs(admin: Redis): Promise<number> {
  const info = await admin.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return (field('used_cpu_sys') + field('used_cpu_user')) * 1e6;
}

async function messagesReceived(node: BenchNode): Promise<number> {
  const res = await json(node.url, 'GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const text = String(res.body);
  return [...text.matchAll(/^qrlogin_pubsub_messages_received_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

/** CPU each of `pids` and Redis spent on `logins` logins on `serving`. */
async function measure(serving: BenchNode, idle: BenchNode[], admin: Redis, logins: number) {
  const pids = [serving, ...idle].map((node) => node.process.pid as number);
  const messagesBefore = await Promise.all(idle.map(messagesReceived));
  const cpuBefore = pids.map(cpuMs);
  const redisBefore = await redisCpuUs(admin);
  await pushRun(serving.url, serving.url, logins);
  const redisAfter = await redisCpuUs(admin);
  const cpu = pids.map((pid, i) => cpuMs(pid) - (cpuBefore[i] as number));
  const messages = (await Promise.all(idle.map(messagesReceived))).map((n, i) => n - (messagesBefore[i] as number));
  return {
    servingMs: cpu[0] as number,
    idleMs: cpu.slice(1),
    messages,
    redisUs: redisAfter - redisBefore,
  };
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

export async function fanoutRun(logins: number, warmup: number): Promise<FanoutRun> {
  const redis = await startRedis();
  const admin = new Redis(redis.url);
  const env = { METRICS_TOKEN, REDIS_KEY_PREFIX: 'bench:' };
  const nodes: BenchNode[] = [];
  try {
    const serving = await startBenchNode(redis, env);
    nodes.push(serving);
    nodes.push(await startBenchNode(redis, env));
    await pushRun(serving.url, serving.url, warmup);
    const one = await measure(serving, nodes.slice(1), admin, logins);
    for (let i = 0; i < 6; i++) nodes.push(await startBenchNode(redis, env));
    await pushRun(serving.url, serving.url, Math.ceil(warmup / 4));
    const seven = await measure(serving, nodes.slice(1), admin, logins);
    const idleCpuMsPerLogin = mean(seven.idleMs) / logins;
    const servingCpuMsPerLogin = seven.servingMs / logins;
    const redisCpuUsPerLogin1 = one.redisUs / logins;
    const redisCpuUsPerLogin7 = seven.redisUs / logins;
    return {
      logins,
      servingCpuMsPerLogin,
      idleCpuMsPerLogin,
      idleOverServing: idleCpuMsPerLogin / servingCpuMsPerLogin,
      idleMessagesPerLogin: mean([...one.messages, ...seven.messages]) / logins,
      redisCpuUsPerLogin1,
      redisCpuUsPerLogin7,
      redis7Over1: redisCpuUsPerLogin7 / redisCpuUsPerLogin1,
    };
  } finally {
    admin.disconnect();
    await Promise.all(nodes.map((node) => node.stop()));
    await redis.stop();
  }
}
