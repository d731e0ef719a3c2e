import type { DeviceStore, SignOutResult } from './device-store';
import { newestFirst, type Device, type SignOutReason } from './types';

interface SignedOut {
  reason: SignOutReason;
  /** The token's expiry: after it the sign-out is forgotten. */
  until: number;
}

/**
 * Single-process DeviceStore for development and tests, with the Redis
 * store's behaviour: expired entries are dropped when the user's list is
 * touched, and by a sweep for users nobody asks about.
 */
export class MemoryDeviceStore implements DeviceStore {
  private readonly devices = new Map<string, Map<string, Device>>();
  private readonly signOuts = new Map<string, SignedOut>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly clock: () => number = Date.now) {
    this.sweeper = setInterval(() => this.sweep(this.clock()), 60_000).unref();
  }

  async add(device: Device, maxPerUser: number, now: number): Promise<string[]> {
    const mine = this.liveOf(device.userId, now);
    mine.set(device.sid, { ...device });
    const byExpiry = [...mine.values()].sort((a, b) => a.expiresAt - b.expiresAt || (a.sid < b.sid ? -1 : 1));
    const dropped = byExpiry.slice(0, Math.max(0, mine.size - maxPerUser));
    for (const old of dropped) {
      mine.delete(old.sid);
      this.signOuts.set(signOutKey(old.userId, old.sid), { reason: 'revoked', until: old.expiresAt });
    }
    return dropped.map((d) => d.sid);
  }

  async list(userId: string, now: number): Promise<Device[]> {
    return [...this.liveOf(userId, now).values()].map((d) => ({ ...d })).sort(newestFirst);
  }

  async signOut(userId: string, sid: string, reason: SignOutReason, now: number, tokenExpiresAt?: number): Promise<SignOutResult> {
    if (this.signedOutEntry(userId, sid, now)) return 'already';
    const mine = this.liveOf(userId, now);
    const until = mine.get(sid)?.expiresAt ?? tokenExpiresAt;
    mine.delete(sid);
    if (until === undefined || until <= now) return 'not_found';
    this.signOuts.set(signOutKey(userId, sid), { reason, until });
    return 'signed_out';
  }

  async signedOut(userId: string, sid: string): Promise<SignOutReason | null> {
    return this.signedOutEntry(userId, sid, this.clock())?.reason ?? null;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.devices.clear();
    this.signOuts.clear();
  }

  /** The user's devices, expired ones dropped first (the memory twin of ZREMRANGEBYSCORE). */
  private liveOf(userId: string, now: number): Map<string, Device> {
    let mine = this.devices.get(userId);
    if (!mine) {
      mine = new Map();
      this.devices.set(userId, mine);
    }
    for (const [sid, device] of mine) if (device.expiresAt <= now) mine.delete(sid);
    return mine;
  }

  private signedOutEntry(userId: string, sid: string, now: number): SignedOut | undefined {
    const key = signOutKey(userId, sid);
    const entry = this.signOuts.get(key);
    if (entry && entry.until <= now) {
      this.signOuts.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(now: number): void {
    for (const [userId, mine] of this.devices) {
      for (const [sid, device] of mine) if (device.expiresAt <= now) mine.delete(sid);
      if (mine.size === 0) this.devices.delete(userId);
    }
    for (const [key, entry] of this.signOuts) if (entry.until <= now) this.signOuts.delete(key);
  }
}

const signOutKey = (userId: string, sid: string) => `${userId}\n${sid}`;
