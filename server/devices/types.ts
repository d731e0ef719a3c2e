import type { SignOutReason } from '../../client/shared/protocol';

/**
 * A linked device (PROTOCOL.md v1.1 "Linked devices"): a browser that was
 * logged in by a redeem, known by its web token's `sid` (the login
 * session's id), until the token expires or is signed out.
 */
export interface Device {
  sid: string;
  userId: string;
  /** "Chrome 131", from the redeeming browser's User-Agent. */
  browser: string;
  /** "Windows", from the same. */
  os: string;
  ip: string;
  /** Epoch ms of the redeem. */
  createdAt: number;
  /** Epoch ms at which the device's web token expires. */
  expiresAt: number;
}

export { SIGN_OUT_REASONS, type SignOutReason } from '../../client/shared/protocol';

/** A sign-out as the realtime layer pushes it to the browser's `/session` sockets. */
export interface SignOut {
  sid: string;
  userId: string;
  reason: SignOutReason;
}

/** Newest first, as the phone lists them; the sid breaks ties so the order is stable. */
export function newestFirst(a: Device, b: Device): number {
  return b.createdAt - a.createdAt || (a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0);
}
