/**
 * A process of idle browsers for the memory scenario (bench/scenarios/memory.ts):
 * told over IPC which node and sessions, it opens one websocket-only
 * Socket.IO client per session from its own loopback source address (each
 * address has its own ~28,000 ephemeral ports), waits for each to get its
 * first state, reports, and holds them until told to stop. Several of these
 * share the sockets out, so no process runs out of descriptors or of CPU.
 */
import type { Socket } from 'socket.io-client';
import { connectBrowser, waitForState } from '../test/support/client';
import { inPool } from './lib/pool';

export interface IdleClientsTask {
  url: string;
  localAddress: string;
  sessions: { id: string; secret: string }[];
}

export type IdleClientsReply = { type: 'open'; sockets: number } | { type: 'failed'; error: string };

const sockets: Socket[] = [];

async function open(task: IdleClientsTask): Promise<void> {
  await inPool(task.sessions.length, 64, async (i) => {
    const session = task.sessions[i]!;
    sockets.push(await connectIdle(task, session));
  });
}

/**
 * One browser socket, with its first state. A handshake the node refused as
 * `unavailable` (its Redis read timed out: tens of thousands of handshakes
 * queue on a busy machine) is tried again after a pause, a few times.
 */
async function connectIdle(task: IdleClientsTask, session: { id: string; secret: string }): Promise<Socket> {
  for (let attempt = 1; ; attempt++) {
    try {
      // Generous timeouts for the same reason.
      const socket = await connectBrowser(task.url, { id: session.id, secret: session.secret }, ['websocket'], {
        localAddress: task.localAddress,
        timeout: 180_000,
      } as object);
      await waitForState(socket, () => true, 180_000);
      return socket;
    } catch (err) {
      if ((err as Error).message !== 'unavailable' || attempt === 5) throw err;
      await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
    }
  }
}

process.on('message', (message: { type: 'open'; task: IdleClientsTask } | { type: 'stop' }) => {
  const reply = (body: IdleClientsReply) => process.send?.(body);
  if (message.type === 'open') {
    open(message.task).then(
      () => reply({ type: 'open', sockets: sockets.length }),
      (err: Error) => reply({ type: 'failed', error: err.message }),
    );
  } else {
    for (const socket of sockets) socket.close();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
