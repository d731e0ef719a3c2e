import { FINAL_STATES as FINAL_STATE_LIST, STATES, type LoginSnapshot, type LoginState, type LoginUser, type RedeemedLogin } from '../../client/shared/protocol';

// States, users and snapshots are the protocol's own (client/shared/protocol.ts): one definition for server and clients.
export { STATES };
export type State = LoginState;
/** The user who scanned, as shown to the browser. */
export type SessionUser = LoginUser;
/** What browsers see (PROTOCOL.md: poll answer and socket `state` event). Never holds a secret or token. */
export type Snapshot = LoginSnapshot;

/** The redeem answer of PROTOCOL.md, over HTTP and as the socket `redeem` ack. */
export type RedeemedSession = RedeemedLogin;

/** A web token as minted for a confirmed login (by the built-in JWT issuer or a site's hook). */
export interface IssuedToken {
  token: string;
  /** Seconds. */
  expiresIn: number;
}

/** States a session never leaves. */
export const FINAL_STATES: ReadonlySet<State> = new Set(FINAL_STATE_LIST);

/** A login session as the store keeps it. Times are epoch milliseconds. */
export interface SessionRecord {
  id: string;
  /** `expired` is derived by the store when the session's time ran out in a non-final state. */
  state: State;
  version: number;
  secretHash: string;
  /** The verification code from the QR. Not a browser secret (it is on screen), compared in constant time. */
  code: string;
  /**
   * The typed fallback for the QR (PROTOCOL.md v1.1 `userCode`): 8 letters, canonical form
   * (client/shared/user-code.ts), unique among live sessions. Absent on sessions made before it.
   */
  userCode?: string;
  createdAt: number;
  expiresAt: number;
  /** The browser that asked to log in, shown to the phone. */
  ip: string;
  userAgent: string;
  user?: SessionUser;
  scannedAt?: number;
  /** Who wrote the last change: lets a writer whose reply was lost recognise its own write. */
  writeId?: string;
  /**
   * The redeem answer sealed under the browser's secret (session/sealed-answer.ts),
   * only while its re-delivery window lasts: a repeat redeem opens it.
   */
  sealedAnswer?: string;
}

/** What a transition writes: the new state and what it records. The store bumps `version`. */
export interface SessionChange {
  state: State;
  user?: SessionUser;
  scannedAt?: number;
  writeId?: string;
  /**
   * Written with the change, in the same atomic step, and kept `forMs` (then
   * forgotten): a redeem stores its sealed answer together with `redeemed`,
   * so no crash can leave a redeemed login without the answer to re-deliver.
   */
  keepSealedAnswer?: { sealed: string; forMs: number };
}

export function toSnapshot(record: SessionRecord): Snapshot {
  const snapshot: Snapshot = {
    id: record.id,
    state: record.state,
    version: record.version,
    expiresAt: new Date(record.expiresAt).toISOString(),
  };
  if (record.user) snapshot.user = { ...record.user };
  return snapshot;
}
