import type { Device, SignOutReason } from './types';

/** What `signOut` found: signed out now, signed out before (still within its token's life), or nothing of that user's. */
export type SignOutResult = 'signed_out' | 'already' | 'not_found';

/**
 * Where linked devices and sign-outs live. Two implementations pass one
 * conformance suite (test/device-store.conformance.ts): the Redis one for
 * production (server/redis/device-store.ts) and MemoryDeviceStore.
 *
 * Everything is per user: a device or sign-out of another user is never seen.
 * Nothing outlives the token it is about: a device and its sign-out are
 * forgotten when the token expires (a token past `exp` is refused anyway).
 */
export interface DeviceStore {
  /**
   * Records a device (again: it is replaced). Past `maxPerUser` live devices,
   * the ones whose tokens expire first are signed out (reason `revoked`);
   * their sids are returned so their browsers can be told.
   */
  add(device: Device, maxPerUser: number, now: number): Promise<string[]>;
  /** The user's devices that are neither signed out nor expired, newest first. Expired ones are cleaned on the way. */
  list(userId: string, now: number): Promise<Device[]>;
  /**
   * Signs the user's device `sid` out: its token is refused until it expires.
   * `tokenExpiresAt` (a logout, which holds the token) signs it out even when
   * the device is not recorded; without it an unknown sid is `not_found`.
   */
  signOut(userId: string, sid: string, reason: SignOutReason, now: number, tokenExpiresAt?: number): Promise<SignOutResult>;
  /** Why the user's `sid` was signed out, or null while it was not. */
  signedOut(userId: string, sid: string): Promise<SignOutReason | null>;
  close(): Promise<void>;
}
