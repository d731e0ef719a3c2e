/**
 * What one idle waiting browser costs a node: `count` sockets connected to a
 * node that does nothing else (the sessions are created through another
 * node, so creation garbage does not blur the figure), memory read after a
 * full GC before and after.
 */
import type { Socket } from 'socket.io-client';
import type { BenchNode } from '../lib/cluster';
import { create, openSocket } from '../lib/flow';
import { inPool } from '../lib/pool';

export interface MemoryRun {
  sockets: number;
  rssPerSocketBytes: number;
  heapPerSocketBytes: number;
  rssBaselineBytes: number;
  rssLoadedBytes: number;
}

export async function memoryRun(waiting: BenchNode, creating: BenchNode, count: number): Promise<MemoryRun> {
  const sessions = await inPool(count, 32, () => create(creating.url));
  // A few sockets come and go first, so lazily loaded code is not counted as per-socket memory.
  for (const socket of await inPool(Math.min(50, count), 10, (i) => openSocket(waiting.url, sessions[i]!))) socket.close();
  const before = await waiting.ask({ type: 'memory' }, 'memory');
  const sockets: Socket[] = await inPool(count, 64, (i) => openSocket(waiting.url, sessions[i]!));
  const after = await waiting.ask({ type: 'memory' }, 'memory');
  for (const socket of sockets) socket.close();
  return {
    sockets: count,
    rssPerSocketBytes: (after.rss - before.rss) / count,
    heapPerSocketBytes: (after.heapUsed - before.heapUsed) / count,
    rssBaselineBytes: before.rss,
    rssLoadedBytes: after.rss,
  };
}
