export const STATES = ['pending', 'scanned', 'confirmed', 'redeemed', 'cancelled', 'expired'] as const;
export type State = (typeof STATES)[number];

/** States a session never leaves. */
export const FINAL_STATES: ReadonlySet<State> = new Set(['redeemed', 'cancelled', 'expired']);

/** The user who scanned, as shown to the browser. */
export interface SessionUser {
  id: string;
  displayName: string;
  avatarUrl?: string;
}

/** A login session as the store keeps it. Times are epoch milliseconds. */
export interface SessionRecord {
  id: string;
  /** `expired` is derived by the store when the session's time ran out in a non-final state. */
  state: State;
  version: number;
  secretHash: string;
  /** The verification code from the QR. Not a browser secret (it is on screen), compared in constant time. */
  code: string;
  createdAt: number;
  expiresAt: number;
  /** The browser that asked to log in, shown to the phone. */
  ip: string;
  userAgent: string;
  user?: SessionUser;
  scannedAt?: number;
  /** Who wrote the last change: lets a writer whose reply was lost recognise its own write. */
  writeId?: string;
}

/** What a transition writes: the new state and what it records. The store bumps `version`. */
export interface SessionChange {
  state: State;
  user?: SessionUser;
  scannedAt?: number;
  writeId?: string;
}

/** What browsers see (PROTOCOL.md: poll answer and socket `state` event). Never holds a secret or token. */
export interface Snapshot {
  id: string;
  state: State;
  version: number;
  expiresAt: string;
  user?: SessionUser;
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
