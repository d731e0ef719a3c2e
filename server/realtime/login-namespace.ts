import type { Namespace, Server, Socket } from 'socket.io';
import type { Logger } from 'pino';
import { toLoginError } from '../errors';
import { parse, socketAuth } from '../http/schemas';
import { handshakeIp } from '../limits/client-ip';
import type { RateLimits } from '../limits/rate-limits';
import type { Metrics } from '../metrics';
import type { LoginService } from '../session/service';
import type { SessionHub } from './hub';

export interface LoginNamespaceDeps {
  service: LoginService;
  hub: SessionHub;
  logger: Logger;
  metrics: Metrics;
  limits: RateLimits;
  /** X-Forwarded-For hops appended by our own proxies (0: the header is not believed). */
  trustedHops: number;
}

/** The browser secret of each authenticated socket, kept off `socket.data` (which other nodes can fetch). */
const secrets = new WeakMap<Socket, string>();

/**
 * PROTOCOL.md "Socket.IO": namespace `/login`, authenticated by id + secret.
 * On connect the socket joins the session's room and only then reads the
 * state, so a change landing in between reaches it one way or the other.
 */
export function attachLoginNamespace(io: Server, { service, hub, logger, metrics, limits, trustedHops }: LoginNamespaceDeps): Namespace {
  const nsp = io.of('/login');

  nsp.use((socket, next) => {
    let auth: { id: string; secret: string };
    try {
      auth = parse(socketAuth, socket.handshake.auth, 'auth');
    } catch {
      return next(new Error('not_found')); // malformed auth: refused before any store work
    }
    const ip = handshakeIp(socket.handshake, trustedHops);
    socket.data.ip = ip;
    limits
      .consume('handshake', ip)
      .then(() => service.browserSnapshot(auth.id, auth.secret))
      .then(
        (snapshot) => {
          if (!snapshot) return next(new Error('not_found'));
          socket.data.sessionId = auth.id;
          socket.data.expiresAt = snapshot.expiresAt;
          secrets.set(socket, auth.secret);
          next();
        },
        (err) => {
          const loginError = toLoginError(err);
          if (loginError?.code !== 'rate_limited') logger.warn({ err }, 'socket handshake failed');
          const refused = new Error(loginError?.code ?? 'unavailable') as Error & { data?: unknown };
          if (loginError?.code === 'rate_limited') refused.data = { retryAfter: Number(loginError.headers['Retry-After']) };
          next(refused);
        },
      );
  });

  nsp.on('connection', (socket) => {
    const id: string = socket.data.sessionId;
    metrics.connectedSockets.inc();
    void socket.join(id);
    const unwatch = hub.watchSocket(id, socket.data.expiresAt);
    socket.on('disconnect', () => {
      unwatch();
      metrics.connectedSockets.dec();
    });

    // A socket's first redeem of a session seen confirmed takes the shortcut (one
    // compare-and-set, no read, no count: its handshake was counted). Anything
    // else, and the shortcut when it loses, counts against the per-session limit.
    let shortcutTaken = false;
    socket.on('redeem', async (...args: unknown[]) => {
      const ack = args[args.length - 1];
      if (typeof ack !== 'function') return; // without an ack nobody could receive the token
      try {
        const seen = hub.seen(id);
        if (!shortcutTaken && seen?.state === 'confirmed') {
          shortcutTaken = true;
          const redeemed = await service.redeemSeen(seen);
          if (redeemed) return ack(redeemed);
        }
        const reading = service.readAhead(id);
        await limits.consume('session', `${id}|${socket.data.ip}`);
        ack(await service.redeem(id, secrets.get(socket), reading));
      } catch (err) {
        const loginError = toLoginError(err);
        if (!loginError) logger.error({ err }, 'socket redeem failed');
        ack(loginError?.toJSON() ?? { error: 'internal_error', message: 'Something went wrong on our side' });
      }
    });

    service.snapshot(id).then(
      (snapshot) => snapshot && socket.emit('state', snapshot),
      (err) => logger.warn({ err }, 'could not read the state for a new socket; it will get the next change'),
    );
  });

  return nsp;
}
