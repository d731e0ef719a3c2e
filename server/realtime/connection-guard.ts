import type { IncomingMessage } from 'node:http';
import type { Server } from 'socket.io';
import { handshakeIp } from '../client-ip';
import { toLoginError } from '../errors';
import type { RateLimits } from '../limits/rate-limits';

export interface ConnectionGuardOptions {
  limits: RateLimits;
  /**
   * Open Engine.IO connections one client (limits.ipKey) may hold on this
   * node at once; 0: no cap. Counted per node, not in Redis: what it protects
   * is the node's memory and file descriptors, a shared count would need a
   * decrement for every close (lost with a crashed node, locking its clients
   * out), and behind the shipped nginx one client address sticks to one node.
   */
  maxPerIp: number;
  /** X-Forwarded-For hops appended by our own proxies (0: the header is not believed). */
  trustedHops: number;
  /** Told of every connection refused for the cap (the `connection` limit reports through `limits`). */
  onCapped?: () => void;
}

type AllowRequest = (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void) => void;

/**
 * Guards the Socket.IO server as a whole, below any namespace: every
 * Engine.IO handshake (any transport, whatever namespace follows) counts
 * against the `connection` limit of its client, a client holds at most
 * `maxPerIp` connections at once here, and the default namespace `/`, which
 * qrlogin does not use, refuses everyone (the connection is then closed at
 * once instead of idling until Socket.IO's connect timeout).
 *
 * `allowRequest` goes into the Server's options; `attach(io)` then follows
 * the connections it let through.
 */
export function createConnectionGuard({ limits, maxPerIp, trustedHops, onCapped }: ConnectionGuardOptions): {
  allowRequest: AllowRequest;
  attach(io: Server): void;
  /** Open connections of `ip`'s client on this node (tests, metrics). */
  openOf(ip: string): number;
} {
  const open = new Map<string, number>();
  // A slot is taken in allowRequest (so concurrent handshakes cannot overshoot the cap)
  // and handed to the connection it becomes, or given back if it becomes none.
  const pending = new WeakMap<IncomingMessage, { release: () => void; detach: () => void }>();
  const clientOf = (req: IncomingMessage) => limits.ipKey(handshakeIp({ address: req.socket.remoteAddress ?? '', headers: req.headers }, trustedHops));
  const take = (key: string): (() => void) | null => {
    const count = open.get(key) ?? 0;
    if (maxPerIp > 0 && count >= maxPerIp) return null;
    open.set(key, count + 1);
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const left = (open.get(key) ?? 1) - 1;
      if (left > 0) open.set(key, left);
      else open.delete(key);
    };
  };
  /** The slot `req` holds, no longer pending: the caller gives it back or hands it to a connection. */
  const settle = (req: IncomingMessage): (() => void) | undefined => {
    const slot = pending.get(req);
    if (!slot) return undefined;
    pending.delete(req);
    slot.detach();
    return slot.release;
  };

  return {
    allowRequest(req, callback) {
      const key = clientOf(req);
      limits.consume('connection', key).then(
        () => {
          const release = take(key);
          if (!release) {
            onCapped?.();
            return callback('too_many_connections', false);
          }
          // A handshake that fails after this point without an Engine.IO error (a bad WebSocket upgrade) ends with its TCP socket.
          const onClose = () => settle(req)?.();
          req.socket.once('close', onClose);
          pending.set(req, { release, detach: () => req.socket.off('close', onClose) });
          callback(null, true);
        },
        (err) => callback(toLoginError(err)?.code ?? 'unavailable', false),
      );
    },
    attach(io) {
      io.engine.on('connection', (conn: { request: IncomingMessage; once(event: 'close', listener: () => void): void }) => {
        // The slot now lives as long as the connection (the handshake's TCP socket may be a keep-alive one).
        const release = settle(conn.request);
        if (release) conn.once('close', release);
      });
      io.engine.on('connection_error', (err: { req?: IncomingMessage }) => {
        if (err.req) settle(err.req)?.();
      });
      io.of('/').use((socket, next) => {
        next(new Error('not_found'));
        // Nothing else was asked of this connection yet: close it rather than let it idle.
        setImmediate(() => {
          if (socket.client.conn.readyState === 'open' && !hasOtherNamespace(socket.client)) socket.client.conn.close();
        });
      });
    },
    openOf: (ip) => open.get(limits.ipKey(ip)) ?? 0,
  };
}

/** Whether a Socket.IO client (one Engine.IO connection) has joined a namespace other than `/`. */
function hasOtherNamespace(client: unknown): boolean {
  const nsps = (client as { nsps?: Map<string, unknown> }).nsps;
  return nsps !== undefined && [...nsps.keys()].some((name) => name !== '/');
}
