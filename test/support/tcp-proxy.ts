import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  url: string;
  port: number;
  /** Cuts every open connection, as a flaky network or a restarting proxy would; new ones still pass. */
  dropAll(): void;
  close(): Promise<void>;
}

export interface TcpProxyOptions {
  /** Holds every reply this long before passing it on (a far-away server), so that round trips can be told apart by time. */
  replyDelayMs?: number;
  /** Told of every chunk a client sends, as it arrives. */
  onRequest?: (chunk: Buffer) => void;
}

/** A loopback TCP proxy in front of `targetPort`, so a test can break, slow down or watch the connections a client holds. */
export async function startTcpProxy(targetPort: number, options: TcpProxyOptions = {}): Promise<TcpProxy> {
  const { replyDelayMs = 0, onRequest } = options;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
      open.add(a);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        open.delete(a);
        b.destroy();
      });
    }
    if (onRequest) client.on('data', onRequest);
    client.pipe(upstream);
    if (replyDelayMs > 0) {
      // Equal delays keep the chunks in order.
      upstream.on('data', (chunk: Buffer) => setTimeout(() => client.writable && client.write(chunk), replyDelayMs));
    } else {
      upstream.pipe(client);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dropAll: () => {
      for (const socket of open) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
