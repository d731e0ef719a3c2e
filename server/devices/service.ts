import { LoginError } from '../errors';
import type { DeviceStore } from './device-store';
import type { Device, SignOut, SignOutReason } from './types';

export interface DeviceServiceOptions {
  store: DeviceStore;
  /** Live devices one user may have; past it the oldest are signed out (MAX_DEVICES_PER_USER). */
  maxPerUser: number;
  /** Called after every sign-out this node writes, drops by the cap included (the realtime layer pushes it). */
  onSignOut?: (signOut: SignOut) => void;
  now?: () => number;
}

const notFound = () => new LoginError('not_found', 'No such device');

/**
 * Linked devices (PROTOCOL.md v1.1): every redeem records the browser it
 * logged in; the user's phone lists them and signs them out, a browser signs
 * itself out. Knows nothing of HTTP, sockets or tokens.
 */
export class DeviceService {
  private readonly store: DeviceStore;
  private readonly now: () => number;

  constructor(private readonly options: DeviceServiceOptions) {
    this.store = options.store;
    this.now = options.now ?? Date.now;
  }

  /** Records the browser a redeem logged in. */
  async record(device: Omit<Device, 'createdAt'>): Promise<void> {
    const now = this.now();
    const dropped = await this.store.add({ ...device, createdAt: now }, this.options.maxPerUser, now);
    for (const sid of dropped) this.announce({ sid, userId: device.userId, reason: 'revoked' });
  }

  /** The user's devices, newest first. */
  list(userId: string): Promise<Device[]> {
    return this.store.list(userId, this.now());
  }

  /** The phone signs one of its user's devices out: done, or already done; another user's or unknown is not_found. */
  async revoke(userId: string, sid: string): Promise<void> {
    const result = await this.store.signOut(userId, sid, 'revoked', this.now());
    if (result === 'not_found') throw notFound();
    if (result === 'signed_out') this.announce({ sid, userId, reason: 'revoked' });
  }

  /** A browser signs itself out with its (verified) token: from now until `tokenExpiresAt` the token is refused. */
  async logout(userId: string, sid: string, tokenExpiresAt: number): Promise<void> {
    const result = await this.store.signOut(userId, sid, 'logout', this.now(), tokenExpiresAt);
    if (result === 'signed_out') this.announce({ sid, userId, reason: 'logout' });
  }

  /** Why the user's `sid` was signed out, or null while it is signed in. */
  signedOut(userId: string, sid: string): Promise<SignOutReason | null> {
    return this.store.signedOut(userId, sid);
  }

  private announce(signOut: SignOut): void {
    this.options.onSignOut?.(signOut);
  }
}
