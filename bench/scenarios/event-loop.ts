/**
 * Event-loop delay inside a node (monitorEventLoopDelay, 1 ms resolution)
 * under mixed load: `idle` waiting sockets, session creation at full rate
 * (autocannon), and logins being confirmed and redeemed meanwhile.
 */
import type { BenchNode } from '../lib/cluster';
import { create, openSocket } from '../lib/flow';
import { load } from '../lib/load';
import { inPool } from '../lib/pool';
import { pushRun } from './latency';

export interface EventLoopRun {
  delayP50Ms: number;
  delayP99Ms: number;
  delayMaxMs: number;
  createPerSecond: number;
  confirmations: number;
  confirmToTokenP99Ms: number;
}

export async function eventLoopRun(node: BenchNode, idle: number, seconds: number): Promise<EventLoopRun> {
  const sockets = await inPool(idle, 64, async () => openSocket(node.url, await create(node.url)));
  await node.ask({ type: 'delay-start' }, 'delay-start');
  const creating = load(node.url, 'POST', '/api/login-sessions', seconds);
  const confirmed = await pushRun(node.url, node.url, Infinity, Date.now() + seconds * 1000);
  const created = await creating;
  const delay = await node.ask({ type: 'delay-stop' }, 'delay');
  for (const socket of sockets) socket.close();
  if (created.failures > 0) throw new Error(`${created.failures} creations failed under mixed load`);
  return {
    delayP50Ms: delay.p50,
    delayP99Ms: delay.p99,
    delayMaxMs: delay.max,
    createPerSecond: created.perSecond,
    confirmations: confirmed.token.samples,
    confirmToTokenP99Ms: confirmed.token.p99,
  };
}
