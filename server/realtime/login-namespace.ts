import type { Namespace, Server, Socket } from 'socket.io';
import type { Logger } from 'pino';
import {
  isFinal,
  type ClientToServerEvents,
  type InterServerEvents,
  type LoginSnapshot,
  type LoginState,
  type RedeemedLogin,
  type ServerToClientEvents,
  type SocketData,
} from '../../client/shared/protocol';
import { LoginError, toLoginError } from '../errors';
import { parse, socketAuth } from '../schemas';
import { handshakeIp } from '../client-ip';
import type { RateLimits } from '../limits/rate-limits';
import type { Metrics } from '../metrics';
import type { LoginService } from '../session/service';
import type { Fanout } from './fanout';

export interface LoginNamespaceDeps {
  service: LoginService;
  fanout: Fanout;
  logger: Logger;
  metrics: Metrics;
  limits: RateLimits;
  /** X-Forwarded-For hops appended by our own proxies (0: the header is not believed). */
  trustedHops: number;
  /** How long a repeat redeem gets the same token (REDEEM_REDELIVERY_SECONDS): a socket of a redeemed session that has not had it stays that long. */
  redeliveryMs: number;
}

export type QrLoginServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type QrLoginNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type LoginSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** What each authenticated socket proved at its handshake; kept off `socket.data`, which other nodes can fetch. */
interface Handshake {
  id: string;
  secret: string;
  expiresAt: string;
}
const handshakes = new WeakMap<LoginSocket, Handshake>();
/** What each socket does once its session is final (see emitState). */
const onFinal = new WeakMap<LoginSocket, (state: LoginState) => void>();

/**
 * PROTOCOL.md "Socket.IO": namespace `/login`, authenticated by id + secret.
 * On connect the socket joins the session's room and starts listening (the
 * node subscribes to the session's changes if it was not already), and only
 * once that is in place reads the state: a change landing in between
 * reaches it one way or the other.
 */
export function attachLoginNamespace(io: QrLoginServer, { service, fanout, logger, metrics, limits, trustedHops, redeliveryMs }: LoginNamespaceDeps): QrLoginNamespace {
  const nsp = io.of('/login');
  const hub = fanout.hub;
  // Rooms are this node's own (no Redis adapter): other nodes' sockets hear through their own fanout.
  fanout.deliverToSockets((snapshot) => emitState(nsp, snapshot));

  nsp.use((socket, next) => {
    let auth: { id: string; secret: string };
    try {
      auth = parse(socketAuth, socket.handshake.auth, 'auth');
    } catch {
      return next(new Error('not_found')); // malformed auth: refused before any store work
    }
    const ip = handshakeIp(socket.handshake, trustedHops);
    socket.data.ip = ip;
    const ipKey = limits.ipKey(ip);
    limits
      .consume('handshake', ipKey)
      .then(() => service.browserSnapshot(auth.id, auth.secret))
      .then(async (snapshot) => {
        // A wrong id or secret counts against the IP's failures, as on the HTTP side (past them: rate_limited).
        if (!snapshot) await limits.consume('browserFailure', ipKey);
        return snapshot;
      })
      .then(
        (snapshot) => {
          if (!snapshot) return next(new Error('not_found'));
          handshakes.set(socket, { id: auth.id, secret: auth.secret, expiresAt: snapshot.expiresAt });
          next();
        },
        (err) => {
          const loginError = toLoginError(err);
          if (loginError?.code !== 'rate_limited') logger.warn({ err }, 'socket handshake failed');
          const refused = new Error(loginError?.code ?? 'unavailable') as Error & { data?: unknown };
          if (loginError?.retryAfterSeconds !== undefined) refused.data = { retryAfter: loginError.retryAfterSeconds };
          next(refused);
        },
      );
  });

  nsp.on('connection', (socket) => {
    const handshake = handshakes.get(socket);
    if (!handshake) return void socket.disconnect(true); // cannot happen: the middleware above admitted it
    const { id, secret } = handshake;
    metrics.connectedSockets.inc();
    void socket.join(id);
    const listening = hub.watchSocket(id, handshake.expiresAt);
    // Once the session is final nothing more can come: the socket is closed (after its last `state` and the
    // answers to redeems in flight). Only a redeemed session's socket that has not handed out the token
    // stays, for the v1.1 repeat redeem of a browser whose answer was lost, as long as that repeat works.
    let tokenGiven = false;
    let finalState: LoginState | undefined;
    let redeemsInFlight = 0;
    let lingering: NodeJS.Timeout | undefined;
    const closeIfDone = () => {
      if (finalState === undefined || redeemsInFlight > 0) return;
      if (finalState !== 'redeemed' || tokenGiven) return void socket.disconnect(true);
      lingering ??= setTimeout(() => socket.disconnect(true), redeliveryMs);
      lingering.unref();
    };
    const finish = (state: LoginState) => {
      finalState = state;
      closeIfDone();
    };
    onFinal.set(socket, finish);
    socket.on('disconnect', () => {
      clearTimeout(lingering);
      listening.close();
      metrics.connectedSockets.dec();
    });
    const giveToken = (ack: (answer: unknown) => void, answer: RedeemedLogin) => {
      tokenGiven = true;
      ack(answer);
    };

    // A socket's first redeem of a session seen confirmed takes the shortcut (one
    // compare-and-set, no read, no count: its handshake was counted). Anything
    // else, and the shortcut when it loses, counts against the per-session limit.
    let shortcutTaken = false;
    // The redeeming browser becomes the linked device the phone lists.
    const browser = { ip: socket.data.ip, userAgent: socket.handshake.headers['user-agent'] ?? '' };
    socket.on('redeem', async (...args: unknown[]) => {
      // Typed as the protocol says, but whatever a client sends arrives: only a function last is an ack.
      const last = args[args.length - 1];
      if (typeof last !== 'function') return; // without an ack nobody could receive the token
      const ack = last as (answer: unknown) => void;
      redeemsInFlight++;
      try {
        const seen = hub.seen(id);
        if (!shortcutTaken && seen?.state === 'confirmed') {
          shortcutTaken = true;
          const redeemed = await service.redeemSeen(seen, secret, browser);
          if (redeemed) return giveToken(ack, redeemed);
        }
        const reading = service.readAhead(id);
        await limits.consume('session', `${id}|${limits.ipKey(socket.data.ip)}`);
        giveToken(ack, await service.redeem(id, secret, reading, browser));
      } catch (err) {
        const loginError = toLoginError(err);
        if (!loginError) logger.error({ err }, 'socket redeem failed');
        ack((loginError ?? new LoginError('internal_error', 'Something went wrong on our side')).toJSON());
      } finally {
        redeemsInFlight--;
        closeIfDone();
      }
    });

    listening.subscribed.then(() => service.snapshot(id)).then(
      (snapshot) => {
        if (!socket.connected) return;
        if (!snapshot) return void socket.disconnect(true); // gone since the handshake: nothing more will come
        socket.emit('state', snapshot);
        if (isFinal(snapshot.state)) finish(snapshot.state);
      },
      (err) => logger.warn({ err }, 'could not read the state for a new socket; it will get the next change'),
    );
  });

  return nsp;
}

/**
 * Emits `state` to this node's sockets of the session; after a final state
 * (redeemed, cancelled, expired) they are disconnected as the connection
 * handler's `finish` says (the state is flushed first: Engine.IO closes after
 * its write buffer drains). A redeem's answer went out before its `redeemed` state.
 */
function emitState(nsp: QrLoginNamespace, snapshot: LoginSnapshot): void {
  nsp.local.to(snapshot.id).emit('state', snapshot);
  if (!isFinal(snapshot.state)) return;
  for (const socketId of nsp.adapter.rooms.get(snapshot.id) ?? []) {
    const socket = nsp.sockets.get(socketId);
    if (socket) onFinal.get(socket)?.(snapshot.state);
  }
}
