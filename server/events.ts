import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { describeBrowser } from './http/request-info';
import type { Requester } from './session/service';
import type { SessionUser, Snapshot } from './session/types';

/** The changes a site can follow (library mode): each is emitted once in the whole cluster, by the node that wrote it. */
export type QrLoginEventName = 'scanned' | 'confirmed' | 'cancelled' | 'redeemed';

export interface QrLoginEvent {
  type: QrLoginEventName;
  sessionId: string;
  /** The session's version after the change. */
  version: number;
  /** The user who scanned (absent on a `cancelled` before any scan). */
  user?: SessionUser;
  /** Address of the request that made the change: the phone's (scan, confirm, cancel) or the browser's (redeem, give-up). */
  ip?: string;
  /** Its browser or app, e.g. "Chrome 131 on Windows". */
  browser?: string;
  at: Date;
}

export type QrLoginEventListener = (event: QrLoginEvent) => void;

/** "Chrome 131 on Windows" of a User-Agent. */
function browserOf(userAgent: string): string {
  const { browser, os } = describeBrowser(userAgent);
  return `${browser} on ${os}`;
}

const EVENT_NAMES: ReadonlySet<string> = new Set<QrLoginEventName>(['scanned', 'confirmed', 'cancelled', 'redeemed']);

/**
 * Turns the changes this node writes into events for the site's listeners,
 * and one info-level audit line per login (when it is redeemed): user,
 * session, address and browser of the redeeming request. Never a secret, code
 * or token: none of them is in a snapshot. A listener that throws is logged,
 * never allowed to break a login.
 */
export function createLoginEvents(logger: Logger) {
  const emitter = new EventEmitter();
  return {
    on(name: QrLoginEventName, listener: QrLoginEventListener): void {
      emitter.on(name, listener);
    },
    off(name: QrLoginEventName, listener: QrLoginEventListener): void {
      emitter.off(name, listener);
    },
    /** A change this node wrote (the compare-and-set that made it is the cluster's only one). */
    changed(snapshot: Snapshot, requester: Requester | undefined): void {
      if (!EVENT_NAMES.has(snapshot.state)) return;
      const event: QrLoginEvent = { type: snapshot.state as QrLoginEventName, sessionId: snapshot.id, version: snapshot.version, at: new Date() };
      if (snapshot.user) event.user = { ...snapshot.user };
      if (requester) {
        event.ip = requester.ip;
        event.browser = browserOf(requester.userAgent);
      }
      if (event.type === 'redeemed') {
        logger.info({ audit: 'login', userId: event.user?.id, sessionId: event.sessionId, ip: event.ip, browser: event.browser }, 'login');
      }
      for (const listener of emitter.listeners(event.type) as QrLoginEventListener[]) {
        try {
          listener(event);
        } catch (err) {
          logger.error({ err, event: event.type, sessionId: event.sessionId }, 'a qrlogin event listener threw');
        }
      }
    },
  };
}

export type LoginEvents = ReturnType<typeof createLoginEvents>;
