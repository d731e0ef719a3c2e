import { io } from 'socket.io-client';
import type { SignedOutEvent, SignOutReason } from '../shared/protocol';

export interface WatchSessionOptions {
  /** Origin (+ base path) of the qrlogin server; default: this page's origin. */
  baseUrl?: string;
  /**
   * The browser was signed out: from the phone (`revoked`), by `POST
   * /api/logout` (`logout`) or its token ran out (`expired`). Called once;
   * the watch is over. A token refused when (re)connecting — signed out
   * while this page was offline — is reported as `revoked`, or `expired`
   * past its `exp`: the server does not say which.
   */
  onSignedOut(event: SignedOutEvent): void;
  /** Engine.IO transports; default websocket then polling (polling needs sticky sessions behind a load balancer). */
  transports?: ('websocket' | 'polling')[];
  /** Longest wait between reconnection attempts. */
  reconnectionDelayMaxMs?: number;
}

export interface SessionWatch {
  /** Stops watching (the page logs out by itself, or goes away). */
  close(): void;
}

/**
 * Keeps a logged-in page reachable for sign-out (PROTOCOL.md v1.1 `/session`):
 * a socket authenticated by the web token, reconnecting after network trouble.
 * Every (re)connect is checked by the server, so a sign-out missed while away
 * is learnt on the way back.
 */
export function watchSession(token: string, options: WatchSessionOptions): SessionWatch {
  const base = new URL(options.baseUrl ?? globalThis.location.origin);
  const delayMax = options.reconnectionDelayMaxMs ?? 15_000;
  const socket = io(`${base.origin}/session`, {
    path: `${base.pathname.replace(/\/+$/, '')}/socket.io`,
    auth: { token },
    transports: options.transports ?? ['websocket', 'polling'],
    forceNew: true,
    reconnectionDelay: 1000,
    reconnectionDelayMax: delayMax,
  });
  let over = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  const finish = (event: SignedOutEvent) => {
    if (over) return;
    close();
    options.onSignedOut(event);
  };
  // socket.io retries transport failures by itself, but neither a refusal by the
  // server (unavailable, rate_limited) nor a disconnect by a node shutting down.
  const retryLater = () => {
    if (over || socket.active || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (!over) socket.connect();
    }, delayMax);
  };
  socket.on('signed_out', (event: SignedOutEvent) => finish(event));
  socket.on('connect_error', (err: Error) => {
    if (err.message === 'invalid_token') finish({ sid: claimOf(token, 'sid') ?? '', reason: refusalReason(token) });
    else retryLater();
  });
  socket.on('disconnect', () => retryLater());
  function close(): void {
    over = true;
    if (retryTimer) clearTimeout(retryTimer);
    socket.close();
  }
  return { close };
}

/** A claim of the token's payload, read without verifying (the server did). */
function claimOf(token: string, claim: 'sid' | 'exp'): any {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    return (JSON.parse(json) as Record<string, unknown>)[claim];
  } catch {
    return undefined;
  }
}

function refusalReason(token: string): SignOutReason {
  const exp = claimOf(token, 'exp');
  return typeof exp === 'number' && Date.now() >= exp * 1000 ? 'expired' : 'revoked';
}
