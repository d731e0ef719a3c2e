/**
 * What idle waiting browsers cost a node: `asked` websocket sockets (50,000
 * by default) connected to a node that does nothing else (the sessions are
 * created through another node, so creation garbage does not blur the
 * figure), memory read after a full GC before and after. The sockets come
 * from several client processes (bench/idle-clients.ts), each from its own
 * loopback address, so that no process runs out of descriptors and no
 * address out of ephemeral ports.
 *
 * A node can hold only as many sockets as its descriptor limit allows: the
 * npm script raises the soft limit to the hard one, and where the hard limit
 * is lower than `asked` the run takes what fits and says so.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../test/support/node-process';
import type { IdleClientsReply, IdleClientsTask } from '../idle-clients';
import type { BenchNode } from '../lib/cluster';
import { create, openSocket, type Session } from '../lib/flow';
import { inPool } from '../lib/pool';

export interface MemoryRun {
  /** Sockets asked for (BENCH_SOCKETS) and held. */
  asked: number;
  sockets: number;
  /** The waiting node's descriptor limit (soft), which caps `sockets`. */
  descriptorLimit: number;
  clientProcesses: number;
  rssPerSocketBytes: number;
  heapPerSocketBytes: number;
  rssBaselineBytes: number;
  rssLoadedBytes: number;
}

/** Descriptors a node needs besides its sockets: Redis connections, the listener, libuv, a margin. */
const NODE_DESCRIPTOR_RESERVE = 300;
/** Sockets per client process: far under any process's descriptor limit, and one CPU's worth of handshakes. */
const PER_CLIENT = 10_000;
const IDLE_CLIENTS = join(ROOT, 'dist', 'bench', 'idle-clients.js');

/** The soft "Max open files" of a process (Linux /proc). */
export function descriptorLimit(pid: number | 'self'): number {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const soft = line?.split(/\s{2,}/)[1];
  return soft === undefined || soft === 'unlimited' ? Infinity : Number(soft);
}

export async function memoryRun(waiting: BenchNode, creating: BenchNode, asked: number): Promise<MemoryRun> {
  const limit = descriptorLimit(waiting.process.pid!);
  const count = Math.max(1, Math.min(asked, limit - NODE_DESCRIPTOR_RESERVE));
  const sessions = await inPool(count, 32, () => create(creating.url));
  // A few sockets come and go first, so lazily loaded code is not counted as per-socket memory.
  for (const socket of await inPool(Math.min(50, count), 10, (i) => openSocket(waiting.url, sessions[i]!))) socket.close();
  const before = await waiting.ask({ type: 'memory' }, 'memory');
  const clients = await openIdleSockets(waiting.url, sessions);
  try {
    const after = await waiting.ask({ type: 'memory' }, 'memory');
    return {
      asked,
      sockets: count,
      descriptorLimit: limit,
      clientProcesses: clients.length,
      rssPerSocketBytes: (after.rss - before.rss) / count,
      heapPerSocketBytes: (after.heapUsed - before.heapUsed) / count,
      rssBaselineBytes: before.rss,
      rssLoadedBytes: after.rss,
    };
  } finally {
    await Promise.all(clients.map(stopClient));
  }
}

/** Shares the sessions out to client processes, one loopback address each; resolves once every socket has its first state. */
async function openIdleSockets(url: string, sessions: Session[]): Promise<ChildProcess[]> {
  const clients: ChildProcess[] = [];
  const opened: Promise<void>[] = [];
  for (let from = 0, i = 0; from < sessions.length; from += PER_CLIENT, i++) {
    const child = fork(IDLE_CLIENTS, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    clients.push(child);
    const task: IdleClientsTask = {
      url,
      localAddress: `127.0.0.${2 + i}`,
      sessions: sessions.slice(from, from + PER_CLIENT).map(({ id, secret }) => ({ id, secret })),
    };
    opened.push(
      new Promise((resolve, reject) => {
        child.once('message', (reply: IdleClientsReply) => {
          if (reply.type === 'open' && reply.sockets === task.sessions.length) resolve();
          else reject(new Error(`idle clients on ${task.localAddress}: ${JSON.stringify(reply)}`));
        });
        child.once('exit', (code) => reject(new Error(`idle clients on ${task.localAddress} exited with ${code}`)));
        child.send({ type: 'open', task });
      }),
    );
  }
  try {
    await Promise.all(opened);
  } catch (err) {
    await Promise.all(clients.map(stopClient));
    throw err;
  }
  return clients;
}

async function stopClient(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (child.connected) child.send({ type: 'stop' });
  else child.kill();
  await exited;
}
