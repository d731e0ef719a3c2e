import type { Logger } from 'pino';
import type { SignedOutEvent } from '../../client/shared/protocol';
import type { VerifiedWebToken } from '../auth/web-token';
import type { VerifyWebToken } from '../devices/token-check';
import { toLoginError } from '../errors';
import { parse, sessionSocketAuth } from '../schemas';
import { handshakeIp } from '../client-ip';
import type { RateLimits } from '../limits/rate-limits';
import type { QrLoginNamespace, QrLoginServer } from './login-namespace';
import type { SignOutHub } from './sign-outs';

export interface SessionNamespaceDeps {
  /** The web-token check that refuses signed-out tokens (devices/token-check.ts). */
  checkWebToken: VerifyWebToken;
  signOuts: SignOutHub;
  limits: RateLimits;
  logger: Logger;
  /** X-Forwarded-For hops appended by our own proxies (0: the header is not believed). */
  trustedHops: number;
  now?: () => number;
}

/** What each socket's token said at its handshake; kept off `socket.data`, which other nodes can fetch. */
const tokens = new WeakMap<object, VerifiedWebToken>();

/** setTimeout's longest delay; a longer token lifetime re-arms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * PROTOCOL.md v1.1 namespace `/session`: a logged-in browser stays reachable
 * for sign-out. The handshake refuses a token that is invalid, expired or
 * signed out (`invalid_token`); a connected socket gets `signed_out` once —
 * from the phone or a logout (through the SignOutHub, on whichever node wrote
 * it) or at its token's expiry (a timer here) — and is then disconnected.
 */
export function attachSessionNamespace(io: QrLoginServer, deps: SessionNamespaceDeps): QrLoginNamespace {
  const { checkWebToken, signOuts, limits, logger, trustedHops } = deps;
  const now = deps.now ?? Date.now;
  const nsp = io.of('/session');

  nsp.use((socket, next) => {
    let token: string;
    try {
      ({ token } = parse(sessionSocketAuth, socket.handshake.auth, 'auth'));
    } catch {
      return next(new Error('invalid_token')); // no token at all: refused before any store work
    }
    const ip = handshakeIp(socket.handshake, trustedHops);
    limits
      .consume('handshake', ip)
      .then(() => checkWebToken(token))
      .then(
        (verified) => {
          tokens.set(socket, verified);
          next();
        },
        (err) => {
          const loginError = toLoginError(err);
          if (!loginError || loginError.code === 'unavailable') logger.warn({ err }, 'session socket handshake failed');
          const refused = new Error(loginError?.code ?? 'unavailable') as Error & { data?: unknown };
          if (loginError?.retryAfterSeconds !== undefined) refused.data = { retryAfter: loginError.retryAfterSeconds };
          next(refused);
        },
      );
  });

  nsp.on('connection', (socket) => {
    const verified = tokens.get(socket);
    if (!verified) return void socket.disconnect(); // cannot happen: the middleware above admitted it
    const { sid, expiresAt } = verified;
    let over = false;
    let timer: NodeJS.Timeout | undefined;
    const signOut = (event: SignedOutEvent) => {
      if (over) return;
      over = true;
      clearTimeout(timer);
      socket.emit('signed_out', event);
      // The namespace only: the packet goes out after the event, and the client does not reconnect by itself.
      socket.disconnect();
    };
    const armExpiry = () => {
      const left = expiresAt - now();
      if (left <= 0) return signOut({ sid, reason: 'expired' });
      timer = setTimeout(armExpiry, Math.min(left, MAX_TIMER_MS));
    };
    armExpiry();
    socket.on('disconnect', () => {
      over = true;
      clearTimeout(timer);
    });
    // Subscribed first, then re-read: a sign-out after the handshake's check still reaches this socket.
    signOuts.watch(sid, verified.user.id, signOut).then(
      (stop) => {
        if (socket.disconnected) stop();
        else socket.once('disconnect', stop);
      },
      (err) => logger.warn({ err, sid }, 'could not watch a session socket for sign-outs'),
    );
  });

  return nsp;
}
