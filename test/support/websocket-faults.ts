import { connect, type Socket } from 'node:net';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

/**
 * What a network between the browser and qrlogin does to WebSocket upgrades
 * (plain HTTP requests always pass):
 * - `refuse`: answers the upgrade `403` itself, as a proxy that forbids WebSockets;
 * - `accept-then-close`: passes the server's `101 Switching Protocols` on, then closes the connection;
 * - `never-answer`: takes the connection and sends nothing back, ever;
 * - `drop-on`: passes everything until the server sends a frame containing the text, then cuts the
 *   connection instead of passing that frame (every later connection too);
 * - `flap`: passes everything, and cuts each upgraded connection `afterMs` after its `101`.
 */
export type WebSocketFault =
  | { kind: 'refuse' }
  | { kind: 'accept-then-close' }
  | { kind: 'never-answer' }
  | { kind: 'drop-on'; text: string }
  | { kind: 'flap'; afterMs: number };

export interface WebSocketFaultProxy extends TcpProxy {
  /** WebSocket upgrade requests seen so far. */
  readonly upgrades: number;
  /** Upgraded connections the fault has cut (`drop-on`, `flap`, `accept-then-close`). */
  readonly cuts: number;
}

const isUpgrade = (firstChunk: Buffer) => /^upgrade:\s*websocket\s*$/im.test(firstChunk.toString('latin1'));
const HEADERS_END = Buffer.from('\r\n\r\n');

/** A loopback TCP proxy in front of `targetPort` that treats WebSocket upgrades as `fault` says. */
export async function startWebSocketFaultProxy(targetPort: number, fault: WebSocketFault): Promise<WebSocketFaultProxy> {
  let upgrades = 0;
  let cuts = 0;
  const cut = (client: Socket) => {
    cuts++;
    client.destroy();
  };

  /** Connects the client to the server; `onReply` sees each server chunk and decides whether it passes. */
  const relay = (client: Socket, first: Buffer, onReply: (chunk: Buffer, upstream: Socket) => void) => {
    const upstream = connect(targetPort, '127.0.0.1');
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.write(first);
    client.pipe(upstream);
    client.resume();
    upstream.on('data', (chunk: Buffer) => onReply(chunk, upstream));
  };

  const proxy = await startTcpProxy(targetPort, {
    intercept(client, first) {
      if (!isUpgrade(first)) return false;
      upgrades++;
      switch (fault.kind) {
        case 'refuse':
          client.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 10\r\nConnection: close\r\n\r\nForbidden\n');
          return true;
        case 'never-answer':
          return true; // held open until the browser or the proxy gives up
        case 'accept-then-close':
          relay(client, first, (chunk) => {
            // Only the 101's headers pass, not a frame that may share their chunk.
            const end = chunk.indexOf(HEADERS_END);
            if (!client.destroyed) client.write(end < 0 ? chunk : chunk.subarray(0, end + HEADERS_END.length));
            if (end >= 0 && !client.destroyed) setImmediate(() => cut(client));
          });
          return true;
        case 'drop-on':
          relay(client, first, (chunk) => {
            if (chunk.includes(fault.text)) cut(client);
            else if (!client.destroyed) client.write(chunk);
          });
          return true;
        case 'flap': {
          let timer: ReturnType<typeof setTimeout> | undefined;
          client.on('close', () => clearTimeout(timer));
          relay(client, first, (chunk) => {
            if (!client.destroyed) client.write(chunk);
            timer ??= setTimeout(() => !client.destroyed && cut(client), fault.afterMs);
          });
          return true;
        }
      }
    },
  });
  return {
    ...proxy,
    get upgrades() {
      return upgrades;
    },
    get cuts() {
      return cuts;
    },
  };
}
