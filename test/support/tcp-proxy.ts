import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { ReplyGate } from './reply-gate';

export interface TcpProxy {
  url: string;
  port: number;
  /** Cuts every open connection, as a flaky network or a restarting proxy would; new ones still pass. */
  dropAll(): void;
  /** New connections are accepted but not passed on until the returned function is called (a network partition healing). */
  holdNewConnections(): () => void;
  close(): Promise<void>;
}

export interface TcpProxyOptions {
  /** Holds every reply this long before passing it on (a far-away server), so that round trips can be told apart by time. */
  replyDelayMs?: number;
  /** Holds replies until the test releases them (and counts commands): see reply-gate.ts. */
  gate?: ReplyGate;
  /** Told of every chunk a client sends, as it arrives. */
  onRequest?: (chunk: Buffer) => void;
  /**
   * Sees the first bytes of each new connection; returning true means the
   * caller handles that connection itself (refuses it, holds it, passes it on
   * its own terms), else it is passed on as usual.
   */
  intercept?: (client: Socket, firstChunk: Buffer) => boolean;
}

/** A loopback TCP proxy in front of `targetPort`, so a test can break, slow down or watch the connections a client holds. */
export async function startTcpProxy(targetPort: number, options: TcpProxyOptions = {}): Promise<TcpProxy> {
  const { replyDelayMs = 0, onRequest, intercept, gate } = options;
  const open = new Set<Socket>();
  let held: (() => void)[] | undefined;
  const accept = (client: Socket) => {
    if (held) held.push(() => pass(client));
    else pass(client);
  };
  const server = createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    if (!intercept) return accept(client);
    client.on('error', () => client.destroy());
    client.once('data', (first: Buffer) => {
      client.pause();
      if (intercept(client, first)) return;
      client.unshift(first);
      accept(client);
    });
  });
  const pass = (client: Socket) => {
    if (client.destroyed) return;
    const upstream = connect(targetPort, '127.0.0.1');
    open.add(upstream);
    upstream.on('close', () => open.delete(upstream));
    for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
      a.on('error', () => b.destroy());
      a.on('close', () => b.destroy());
    }
    if (onRequest) client.on('data', onRequest);
    client.pipe(upstream);
    if (gate) {
      const link = gate.link((chunk) => client.writable && client.write(chunk));
      client.on('data', link.request);
      upstream.on('data', link.reply);
    } else if (replyDelayMs > 0) {
      // Equal delays keep the chunks in order.
      upstream.on('data', (chunk: Buffer) => setTimeout(() => client.writable && client.write(chunk), replyDelayMs));
    } else {
      upstream.pipe(client);
    }
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dropAll: () => {
      for (const socket of open) socket.destroy();
    },
    holdNewConnections: () => {
      const queue: (() => void)[] = [];
      held = queue;
      return () => {
        if (held === queue) held = undefined;
        for (const release of queue) release();
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
