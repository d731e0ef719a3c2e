/**
 * The DeviceStore contract (server/devices/device-store.ts), one suite for
 * every implementation: test/device-store-memory.test.ts and
 * test/device-store-redis.test.ts. Expiry is real time with short token
 * lifetimes; the suite waits for it, never asserts on how long anything took.
 */
import { randomUUID } from 'node:crypto';
import type { DeviceStore } from '../server/devices/device-store';
import type { Device } from '../server/devices/types';
import { waitFor } from './support/expect';

export interface DeviceStoreUnderTest {
  store: DeviceStore;
  /** Redis only: what the index of `userId` holds, and the TTLs of its keys. */
  raw?: {
    indexed(userId: string): Promise<string[]>;
    pttls(userId: string, sid: string): Promise<{ index: number; device: number; signedOut: number }>;
  };
  close(): Promise<void>;
}

export type DeviceStoreFactory = () => Promise<DeviceStoreUnderTest>;

/** Users unique to each test, so tests sharing a Redis never see each other's devices. */
const newUser = (name = 'ana') => `${name}-${randomUUID().slice(0, 8)}`;

export function newDevice(userId: string, overrides: Partial<Device> = {}): Device {
  const now = Date.now();
  return {
    sid: randomUUID(),
    userId,
    browser: 'Chrome 131',
    os: 'Windows',
    ip: '203.0.113.9',
    createdAt: now,
    expiresAt: now + 3_600_000,
    ...overrides,
  };
}

export function deviceStoreConformance(makeStore: DeviceStoreFactory): void {
  let target: DeviceStoreUnderTest;
  let store: DeviceStore;
  beforeEach(async () => {
    target = await makeStore();
    store = target.store;
  });
  afterEach(() => target.close());

  test('an added device is listed as saved', async () => {
    const ana = newUser();
    const device = newDevice(ana);
    expect(await store.add(device, 10, Date.now())).toEqual([]);
    expect(await store.list(ana, Date.now())).toEqual([device]);
    expect(await store.signedOut(ana, device.sid)).toBeNull();
  });

  test('the list is newest first, whatever the order of the expiries', async () => {
    const ana = newUser();
    const now = Date.now();
    const first = newDevice(ana, { createdAt: now - 3000, expiresAt: now + 90_000 });
    const second = newDevice(ana, { createdAt: now - 2000, expiresAt: now + 50_000 });
    const third = newDevice(ana, { createdAt: now - 1000, expiresAt: now + 70_000 });
    for (const d of [second, first, third]) await store.add(d, 10, now);
    expect((await store.list(ana, now)).map((d) => d.sid)).toEqual([third.sid, second.sid, first.sid]);
  });

  test('adding a sid again replaces it: one device', async () => {
    const ana = newUser();
    const device = newDevice(ana);
    await store.add(device, 10, Date.now());
    await store.add({ ...device, ip: '198.51.100.7' }, 10, Date.now());
    expect(await store.list(ana, Date.now())).toEqual([{ ...device, ip: '198.51.100.7' }]);
  });

  test('a user sees only their own devices', async () => {
    const ana = newUser();
    const ben = newUser('ben');
    const anas = newDevice(ana);
    const bens = newDevice(ben);
    await store.add(anas, 10, Date.now());
    await store.add(bens, 10, Date.now());
    expect(await store.list(ana, Date.now())).toEqual([anas]);
    expect(await store.list(ben, Date.now())).toEqual([bens]);
    expect(await store.list(newUser('nobody'), Date.now())).toEqual([]);
  });

  test('user ids with key syntax in them stay apart', async () => {
    const base = newUser();
    const tricky = [`${base}}:x`, `${base}:x`, `{${base}}`, `${base} x`, `${base}%3Ax`];
    for (const userId of tricky) await store.add(newDevice(userId, { browser: userId }), 10, Date.now());
    for (const userId of tricky) expect((await store.list(userId, Date.now())).map((d) => d.browser)).toEqual([userId]);
  });

  test('sign-out: the device leaves the list, the sid reads as signed out with its reason, a repeat is "already"', async () => {
    const ana = newUser();
    const kept = newDevice(ana);
    const gone = newDevice(ana);
    await store.add(kept, 10, Date.now());
    await store.add(gone, 10, Date.now());
    expect(await store.signOut(ana, gone.sid, 'revoked', Date.now())).toBe('signed_out');
    expect(await store.list(ana, Date.now())).toEqual([kept]);
    expect(await store.signedOut(ana, gone.sid)).toBe('revoked');
    expect(await store.signedOut(ana, kept.sid)).toBeNull();
    expect(await store.signOut(ana, gone.sid, 'logout', Date.now())).toBe('already');
    expect(await store.signedOut(ana, gone.sid)).toBe('revoked');
  });

  test("another user's sid is not found and stays signed in; an unknown sid is not found", async () => {
    const ana = newUser();
    const device = newDevice(ana);
    await store.add(device, 10, Date.now());
    expect(await store.signOut(newUser('ben'), device.sid, 'revoked', Date.now())).toBe('not_found');
    expect(await store.signedOut(ana, device.sid)).toBeNull();
    expect(await store.list(ana, Date.now())).toEqual([device]);
    expect(await store.signOut(ana, randomUUID(), 'revoked', Date.now())).toBe('not_found');
  });

  test('a logout signs its token out even when no device was recorded for it', async () => {
    const ana = newUser();
    const sid = randomUUID();
    expect(await store.signOut(ana, sid, 'logout', Date.now(), Date.now() + 60_000)).toBe('signed_out');
    expect(await store.signedOut(ana, sid)).toBe('logout');
    expect(await store.signedOut(newUser('ben'), sid)).toBeNull();
    // A token that already expired needs no sign-out.
    expect(await store.signOut(ana, randomUUID(), 'logout', Date.now(), Date.now() - 1)).toBe('not_found');
  });

  test('past the cap, the devices whose tokens expire first are signed out', async () => {
    const ana = newUser();
    const now = Date.now();
    const devices = [5, 1, 4, 2, 3].map((n) => newDevice(ana, { createdAt: now + n, expiresAt: now + 60_000 + n * 1000 }));
    const dropped: string[] = [];
    for (const d of devices) dropped.push(...(await store.add(d, 3, now)));
    const byExpiry = [...devices].sort((a, b) => a.expiresAt - b.expiresAt);
    // Adding the 4th dropped the earliest expiry then (n=1); the 5th dropped the next (n=2).
    expect(dropped).toEqual([byExpiry[0]?.sid, byExpiry[1]?.sid]);
    expect((await store.list(ana, now)).map((d) => d.sid)).toEqual([devices[0], devices[2], devices[4]].map((d) => d?.sid));
    for (const sid of dropped) expect(await store.signedOut(ana, sid)).toBe('revoked');
  });

  test('expired devices leave the list by themselves, and cannot be signed out', async () => {
    const ana = newUser();
    const now = Date.now();
    const soon = newDevice(ana, { expiresAt: now + 400 });
    const later = newDevice(ana);
    await store.add(soon, 10, now);
    await store.add(later, 10, now);
    expect(await store.list(ana, Date.now())).toHaveLength(2);
    await waitFor(async () => (await store.list(ana, Date.now())).length === 1);
    expect(await store.list(ana, Date.now())).toEqual([later]);
    expect(Date.now()).toBeGreaterThanOrEqual(soon.expiresAt);
    expect(await store.signOut(ana, soon.sid, 'revoked', Date.now())).toBe('not_found');
    if (target.raw) expect(await target.raw.indexed(ana)).toEqual([later.sid]);
  });

  test('a sign-out is forgotten once the token it refuses has expired', async () => {
    const ana = newUser();
    const device = newDevice(ana, { expiresAt: Date.now() + 600 });
    await store.add(device, 10, Date.now());
    expect(await store.signOut(ana, device.sid, 'revoked', Date.now())).toBe('signed_out');
    expect(await store.signedOut(ana, device.sid)).toBe('revoked');
    await waitFor(async () => (await store.signedOut(ana, device.sid)) === null);
    expect(Date.now()).toBeGreaterThanOrEqual(device.expiresAt);
  });

  test('adding cleans expired devices out of the index', async () => {
    const ana = newUser();
    const now = Date.now();
    const old = newDevice(ana, { expiresAt: now + 300 });
    await store.add(old, 10, now);
    await waitFor(() => Date.now() > old.expiresAt + 20);
    const fresh = newDevice(ana);
    // The expired one does not count against the cap of 1: nothing is signed out.
    expect(await store.add(fresh, 1, Date.now())).toEqual([]);
    if (target.raw) expect(await target.raw.indexed(ana)).toEqual([fresh.sid]);
    expect(await store.signedOut(ana, old.sid)).toBeNull();
  });
}

/** Redis only: every key carries a TTL at the token's expiry, so nothing outlives it even if no node ever looks again. */
export function redisDeviceLayoutConformance(makeStore: DeviceStoreFactory): void {
  test('the index, the device and its sign-out expire with the token', async () => {
    const target = await makeStore();
    try {
      if (!target.raw) throw new Error('needs a raw view');
      const ana = newUser();
      const device = newDevice(ana, { expiresAt: Date.now() + 120_000 });
      await target.store.add(device, 10, Date.now());
      let ttl = await target.raw.pttls(ana, device.sid);
      expect(ttl.device).toBeGreaterThan(100_000);
      expect(ttl.device).toBeLessThanOrEqual(120_000);
      expect(ttl.index).toBeGreaterThan(100_000);
      expect(ttl.signedOut).toBe(-2);
      await target.store.signOut(ana, device.sid, 'revoked', Date.now());
      ttl = await target.raw.pttls(ana, device.sid);
      expect(ttl.device).toBe(-2);
      expect(ttl.signedOut).toBeGreaterThan(100_000);
      expect(ttl.signedOut).toBeLessThanOrEqual(120_000);
    } finally {
      await target.close();
    }
  });
}
