import { io, type Socket } from 'socket.io-client';
import { errorFor, NetworkError } from '../shared/errors';
import { isErrorBody } from '../shared/http';
import { isFinal, type LoginClientToServerEvents, type LoginServerToClientEvents, type LoginSnapshot, type LoginSocketAuth, type RedeemedLogin } from '../shared/protocol';

/** What the login controller hears from its socket. */
export interface SocketEvents {
  /** The handshake succeeded. Not yet proof of being in the session's room: the first `state` after it is. */
  connected(): void;
  state(snapshot: LoginSnapshot): void;
  /** The handshake failed; `not_found` means the server refused id + secret (the session is gone). */
  connectFailed(reason: string): void;
  /** An open socket dropped; the socket keeps trying to come back by itself. */
  dropped(reason: string): void;
}

/** One socket on `/login` for one session. */
export interface LoginSocket {
  readonly connected: boolean;
  /** The `redeem` event with ack; throws the ack's typed error, or NetworkError when no ack came in time. */
  redeem(timeoutMs: number): Promise<RedeemedLogin>;
  close(): void;
}

export type OpenSocket = (baseUrl: string, auth: LoginSocketAuth, events: SocketEvents) => LoginSocket;

export interface SocketIoOptions {
  /**
   * Engine.IO transports. Default `['websocket']`: when WebSockets are blocked
   * the SDK falls back to the protocol's HTTP long poll, which, unlike
   * Engine.IO's polling transport, needs no sticky sessions behind a load balancer.
   */
  transports?: ('websocket' | 'polling' | 'webtransport')[];
  /** Longest wait between reconnection attempts. */
  reconnectionDelayMaxMs?: number;
}

/** The real socket: socket.io-client on `<baseUrl>/login` with `auth: {id, secret}`. */
export function socketIoOpener({ transports = ['websocket'], reconnectionDelayMaxMs = 15_000 }: SocketIoOptions = {}): OpenSocket {
  return (baseUrl, auth, events) => {
    // Under a base path (`https://host/auth`), `/auth` is the socket.io path's prefix, not part of the namespace.
    const base = new URL(baseUrl);
    const socket: Socket<LoginServerToClientEvents, LoginClientToServerEvents> = io(`${base.origin}/login`, {
      path: `${base.pathname.replace(/\/+$/, '')}/socket.io`,
      auth,
      transports,
      forceNew: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: reconnectionDelayMaxMs,
    });
    let closed = false;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    // socket.io retries transport failures by itself, but not a refusal by the
    // server's middleware nor a server-side disconnect (a node shutting down).
    const retryLater = () => {
      if (closed || socket.active || retryTimer) return;
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        if (!closed) socket.connect();
      }, reconnectionDelayMaxMs);
    };
    // The server closes the socket after a final state (nothing more can come): that is no drop to recover from.
    let finished = false;
    socket.on('connect', () => events.connected());
    socket.on('state', (snapshot) => {
      finished = isFinal(snapshot.state);
      events.state(snapshot);
    });
    socket.on('connect_error', (err: Error) => {
      events.connectFailed(err.message);
      if (err.message !== 'not_found') retryLater();
    });
    socket.on('disconnect', (reason: string) => {
      if (closed || (finished && reason === 'io server disconnect')) return;
      events.dropped(reason);
      retryLater();
    });
    return {
      get connected() {
        return socket.connected;
      },
      async redeem(timeoutMs) {
        let ack: unknown;
        try {
          ack = await socket.timeout(timeoutMs).emitWithAck('redeem');
        } catch {
          throw new NetworkError('network_error', 'No answer to redeem over the socket');
        }
        if (isErrorBody(ack)) throw errorFor(ack.error, ack.message);
        return ack as RedeemedLogin;
      },
      close() {
        closed = true;
        if (retryTimer) clearTimeout(retryTimer);
        socket.close();
      },
    };
  };
}
