/**
 * The Store contract (server/session/store.ts), as one suite that every
 * implementation runs: test/store-memory.test.ts and test/store-redis.test.ts.
 * Expiry is real time with short TTLs; the suite waits for it, never asserts
 * on how long anything took.
 */
import { randomInt } from 'node:crypto';
import { USER_CODE_ALPHABET } from '../client/shared/protocol';
import { hashSecret, newSessionId } from '../server/session/secrets';
import type { SessionRecord } from '../server/session/types';
import type { Store } from '../server/session/store';
import { waitFor } from './support/expect';
import { testService } from './support/login-service';

export interface StoreUnderTest {
  store: Store;
  /** Only for stores with a raw layout to inspect (Redis). */
  raw?: RawStoreView;
  close(): Promise<void>;
}

/** What the Redis-specific checks look at, under the store's key prefix. */
export interface RawStoreView {
  keyPrefix: string;
  /** Every key of the server whose name starts with `prefix`. */
  keys(prefix: string): Promise<string[]>;
  hash(key: string): Promise<Record<string, string>>;
  /** Redis PTTL: ms left, -1 without TTL, -2 when the key does not exist. */
  pttl(key: string): Promise<number>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
  /** Another store on the same server with another key prefix. */
  otherPrefix(): Promise<Store>;
}

export type StoreFactory = (options: { retentionMs?: number }) => Promise<StoreUnderTest>;

const sleepUntil = (epochMs: number) => new Promise((r) => setTimeout(r, Math.max(0, epochMs - Date.now())));

/** A random user code in canonical form. */
export const randomUserCode = (): string => Array.from({ length: 8 }, () => USER_CODE_ALPHABET[randomInt(20)]).join('');

export function newRecord(overrides: Partial<SessionRecord> = {}): SessionRecord {
  const now = Date.now();
  return {
    id: newSessionId(),
    state: 'pending',
    version: 1,
    secretHash: hashSecret('a-browser-secret'),
    code: 'a-verification-code',
    userCode: randomUserCode(),
    createdAt: now,
    expiresAt: now + 60_000,
    ip: '203.0.113.9',
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0',
    ...overrides,
  };
}

const ANA = { id: 'ana', displayName: 'Ana', avatarUrl: 'https://example.com/ana.png' };

export function storeConformance(makeStore: StoreFactory): void {
  let target: StoreUnderTest;
  let store: Store;
  beforeEach(async () => {
    target = await makeStore({});
    store = target.store;
  });
  afterEach(() => target.close());

  test('create then find returns the record as saved', async () => {
    const record = newRecord();
    await store.create(record);
    expect(await store.find(record.id)).toEqual(record);
  });

  test('find of an unknown id is null', async () => {
    expect(await store.find(newSessionId())).toBeNull();
  });

  test('create refuses an id that already exists and keeps the first record, user code included', async () => {
    const record = newRecord();
    expect(await store.create(record)).toBe('ok');
    await expect(store.create({ ...record, code: 'another-code' })).rejects.toThrow();
    await expect(store.create({ ...record, code: 'another-code', userCode: randomUserCode() })).rejects.toThrow();
    expect((await store.find(record.id))?.code).toBe(record.code);
    expect(await store.findByUserCode(record.userCode as string)).toEqual(record);
  });

  test('a user code finds its session, in every state, until the session\'s time runs out', async () => {
    const record = newRecord({ expiresAt: Date.now() + 1500 });
    await store.create(record);
    const userCode = record.userCode as string;
    expect(await store.findByUserCode(userCode)).toEqual(record);
    expect(await store.findByUserCode(randomUserCode())).toBeNull();
    expect(await store.update(record.id, 1, { state: 'cancelled' })).toBe('ok');
    expect(await store.findByUserCode(userCode)).toMatchObject({ id: record.id, state: 'cancelled', version: 2 });
    await waitFor(async () => (await store.findByUserCode(userCode)) === null);
    expect(Date.now()).toBeGreaterThanOrEqual(record.expiresAt);
    expect(await store.find(record.id)).toMatchObject({ state: 'cancelled' }); // the session itself is still kept
  });

  test('a user code held by a live session is refused to another session, which is not saved', async () => {
    const first = newRecord();
    const second = newRecord({ userCode: first.userCode });
    expect(await store.create(first)).toBe('ok');
    expect(await store.create(second)).toBe('user_code_taken');
    expect(await store.find(second.id)).toBeNull();
    expect(await store.findByUserCode(first.userCode as string)).toEqual(first);
    // The refused session's id stays free.
    expect(await store.create({ ...second, userCode: randomUserCode() })).toBe('ok');
  });

  test('of concurrent creates with one user code exactly one is saved', async () => {
    const userCode = randomUserCode();
    const records = Array.from({ length: 8 }, () => newRecord({ userCode }));
    const results = await Promise.all(records.map((r) => store.create(r)));
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    const winner = records[results.indexOf('ok')] as SessionRecord;
    expect(await store.findByUserCode(userCode)).toEqual(winner);
    const saved = await Promise.all(records.map((r) => store.find(r.id)));
    expect(saved.filter(Boolean)).toEqual([winner]);
  });

  test('once its session\'s time ran out, a user code can be claimed again', async () => {
    const first = newRecord({ expiresAt: Date.now() + 1000 });
    await store.create(first);
    const userCode = first.userCode as string;
    await waitFor(async () => (await store.findByUserCode(userCode)) === null);
    const second = newRecord({ userCode });
    expect(await store.create(second)).toBe('ok');
    expect(await store.findByUserCode(userCode)).toEqual(second);
  });

  test('a session without a user code is saved and claims none', async () => {
    const { userCode: _none, ...record } = newRecord();
    expect(await store.create(record)).toBe('ok');
    expect(await store.find(record.id)).toEqual(record);
  });

  test('the service draws another user code when the one it drew is taken', async () => {
    const taken = newRecord();
    await store.create(taken);
    const free = randomUserCode();
    const draws = [taken.userCode as string, taken.userCode as string, free];
    const { service } = testService(store, { newUserCode: () => draws.shift() as string });
    const { record } = await service.create({ ip: '127.0.0.1', userAgent: 'jest' });
    expect(draws).toEqual([]);
    expect(record.userCode).toBe(free);
    expect(await store.findByUserCode(free)).toEqual(record);
    expect(await store.findByUserCode(taken.userCode as string)).toEqual(taken);
  });

  test('update is a compare-and-set on version: ok, then conflict for the stale version', async () => {
    const record = newRecord();
    await store.create(record);
    expect(await store.update(record.id, 1, { state: 'scanned', user: ANA, scannedAt: record.createdAt + 5 })).toBe('ok');
    expect(await store.update(record.id, 1, { state: 'cancelled' })).toBe('conflict');
    expect(await store.update(record.id, 3, { state: 'cancelled' })).toBe('conflict');
    expect(await store.find(record.id)).toEqual({ ...record, state: 'scanned', version: 2, user: ANA, scannedAt: record.createdAt + 5 });
  });

  test('update of an unknown id is gone', async () => {
    expect(await store.update(newSessionId(), 1, { state: 'scanned' })).toBe('gone');
  });

  test('version grows by one per change, and each change is kept', async () => {
    const record = newRecord();
    await store.create(record);
    await expect(store.update(record.id, 1, { state: 'scanned', user: { id: 'ben', displayName: 'Ben' }, scannedAt: 7 })).resolves.toBe('ok');
    expect(await store.find(record.id)).toMatchObject({ state: 'scanned', version: 2, user: { id: 'ben', displayName: 'Ben' }, scannedAt: 7 });
    await expect(store.update(record.id, 2, { state: 'confirmed' })).resolves.toBe('ok');
    expect(await store.find(record.id)).toMatchObject({ state: 'confirmed', version: 3, user: { id: 'ben' } });
    await expect(store.update(record.id, 3, { state: 'redeemed' })).resolves.toBe('ok');
    expect(await store.find(record.id)).toMatchObject({ state: 'redeemed', version: 4, user: { id: 'ben' }, code: record.code });
  });

  test('after its TTL a session reads as expired with version + 1, and cannot be changed', async () => {
    const record = newRecord({ expiresAt: Date.now() + 1000 });
    await store.create(record);
    expect(await store.update(record.id, 1, { state: 'scanned', user: ANA, scannedAt: Date.now() })).toBe('ok');
    const expired = await waitFor(async () => {
      const found = await store.find(record.id);
      return found?.state === 'expired' && found;
    });
    expect(expired).toEqual({ ...record, state: 'expired', version: 3, user: ANA, scannedAt: expect.any(Number) });
    expect(Date.now()).toBeGreaterThanOrEqual(record.expiresAt);
    expect(await store.update(record.id, 2, { state: 'confirmed' })).toBe('conflict');
    expect(await store.update(record.id, 3, { state: 'confirmed' })).toBe('conflict');
    expect(await store.find(record.id)).toMatchObject({ state: 'expired', version: 3 });
  });

  test('a session is not expired before its TTL', async () => {
    const record = newRecord({ expiresAt: Date.now() + 30_000 });
    await store.create(record);
    expect(await store.find(record.id)).toMatchObject({ state: 'pending', version: 1 });
  });

  test.each(['cancelled', 'redeemed'] as const)('a %s session does not expire', async (finalState) => {
    // Long enough for the transitions to land before the TTL even on a loaded CI machine.
    const record = newRecord({ expiresAt: Date.now() + 1500 });
    await store.create(record);
    if (finalState === 'redeemed') {
      expect(await store.update(record.id, 1, { state: 'scanned', user: ANA, scannedAt: Date.now() })).toBe('ok');
      expect(await store.update(record.id, 2, { state: 'confirmed' })).toBe('ok');
      expect(await store.update(record.id, 3, { state: 'redeemed' })).toBe('ok');
    } else {
      expect(await store.update(record.id, 1, { state: 'cancelled' })).toBe('ok');
    }
    const before = await store.find(record.id);
    await sleepUntil(record.expiresAt + 200);
    expect(await store.find(record.id)).toEqual(before);
    expect(before?.state).toBe(finalState);
  });

  test('sessions are forgotten after the retention time: find null, update gone', async () => {
    const short = await makeStore({ retentionMs: 200 });
    try {
      const record = newRecord({ expiresAt: Date.now() + 200 });
      await short.store.create(record);
      await waitFor(async () => (await short.store.find(record.id)) === null);
      expect(await short.store.update(record.id, 1, { state: 'cancelled' })).toBe('gone');
    } finally {
      await short.close();
    }
  });

  test('a final state is kept for the retention time, then forgotten', async () => {
    const short = await makeStore({ retentionMs: 1000 });
    try {
      const record = newRecord({ expiresAt: Date.now() + 60_000 });
      await short.store.create(record);
      expect(await short.store.update(record.id, 1, { state: 'cancelled' })).toBe('ok');
      expect(await short.store.find(record.id)).toMatchObject({ state: 'cancelled', version: 2 });
      await waitFor(async () => (await short.store.find(record.id)) === null);
    } finally {
      await short.close();
    }
  });

  /** A confirmed record (version 3), ready for the redeem that stores a sealed answer. */
  const confirmedRecord = async () => {
    const record = newRecord();
    await store.create(record);
    expect(await store.update(record.id, 1, { state: 'scanned', user: ANA, scannedAt: Date.now() })).toBe('ok');
    expect(await store.update(record.id, 2, { state: 'confirmed' })).toBe('ok');
    return record;
  };

  test('a sealed answer is written with its change and read back with the session', async () => {
    const record = await confirmedRecord();
    expect(await store.update(record.id, 3, { state: 'redeemed', keepSealedAnswer: { sealed: 'v1.sealed-bytes', forMs: 60_000 } })).toBe('ok');
    const found = await store.find(record.id);
    expect(found).toMatchObject({ state: 'redeemed', version: 4, sealedAnswer: 'v1.sealed-bytes' });
    expect(found).not.toHaveProperty('keepSealedAnswer');
  });

  test('a change that loses the compare-and-set stores no sealed answer', async () => {
    const record = await confirmedRecord();
    expect(await store.update(record.id, 3, { state: 'redeemed', keepSealedAnswer: { sealed: 'v1.winner', forMs: 60_000 } })).toBe('ok');
    expect(await store.update(record.id, 3, { state: 'redeemed', keepSealedAnswer: { sealed: 'v1.loser', forMs: 60_000 } })).toBe('conflict');
    expect(await store.find(record.id)).toMatchObject({ version: 4, sealedAnswer: 'v1.winner' });
    expect(await store.update(newSessionId(), 3, { state: 'redeemed', keepSealedAnswer: { sealed: 'v1.nobody', forMs: 60_000 } })).toBe('gone');
  });

  test('a sealed answer is forgotten after its time; the session stays', async () => {
    const record = await confirmedRecord();
    expect(await store.update(record.id, 3, { state: 'redeemed', keepSealedAnswer: { sealed: 'v1.short-lived', forMs: 300 } })).toBe('ok');
    await waitFor(async () => (await store.find(record.id))?.sealedAnswer === undefined);
    const found = await store.find(record.id);
    expect(found).toMatchObject({ state: 'redeemed', version: 4 });
    expect(found).not.toHaveProperty('sealedAnswer');
  });

  test('sessions without a sealed answer read without one', async () => {
    const record = await confirmedRecord();
    expect(await store.find(record.id)).not.toHaveProperty('sealedAnswer');
    expect(await store.update(record.id, 3, { state: 'redeemed' })).toBe('ok');
    expect(await store.find(record.id)).not.toHaveProperty('sealedAnswer');
  });

  test('the service stores only a hash of the browser secret', async () => {
    const { service } = testService(store);
    const { record, secret } = await service.create({ ip: '127.0.0.1', userAgent: 'jest' });
    const stored = await store.find(record.id);
    expect(stored?.secretHash).toBe(hashSecret(secret));
    expect(JSON.stringify(stored)).not.toContain(secret);
    if (target.raw) {
      const values = Object.values(await target.raw.hash(`${target.raw.keyPrefix}session:{${record.id}}`));
      expect(values).toContain(hashSecret(secret));
      for (const value of values) expect(value).not.toContain(secret);
    }
  });
}

/** The Redis layout: TTLs on both keys, the key prefix, the hash fields. */
export function redisLayoutConformance(makeStore: StoreFactory): void {
  let target: StoreUnderTest & { raw: RawStoreView };
  beforeEach(async () => {
    const made = await makeStore({ retentionMs: 120_000 });
    if (!made.raw) throw new Error('redisLayoutConformance needs a raw view');
    target = made as StoreUnderTest & { raw: RawStoreView };
  });
  afterEach(() => target.close());
  const keysOf = (id: string) => [`${target.raw.keyPrefix}session:{${id}}`, `${target.raw.keyPrefix}session:{${id}}:ttl`] as const;
  const userCodeKeyOf = (record: SessionRecord) => `${target.raw.keyPrefix}usercode:${record.userCode}`;

  test('the TTL marker lives until expiresAt and the hash for the retention time after it', async () => {
    const record = newRecord({ expiresAt: Date.now() + 60_000 });
    await target.store.create(record);
    const [hashKey, ttlKey] = keysOf(record.id);
    const ttl = await target.raw.pttl(ttlKey);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    const hashTtl = await target.raw.pttl(hashKey);
    expect(hashTtl).toBeGreaterThan(60_000 + 110_000);
    expect(hashTtl).toBeLessThanOrEqual(60_000 + 120_000);
  });

  test('the user code key holds the session id and lives until expiresAt, through a final state too', async () => {
    const record = newRecord({ expiresAt: Date.now() + 60_000 });
    await target.store.create(record);
    expect(await target.raw.get(userCodeKeyOf(record))).toBe(record.id);
    const ttl = await target.raw.pttl(userCodeKeyOf(record));
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await target.store.update(record.id, 1, { state: 'cancelled' });
    expect(await target.raw.pttl(userCodeKeyOf(record))).toBeGreaterThan(50_000);
  });

  test('a user code key pointing at no such session (a create that failed half-way) finds nothing', async () => {
    const record = newRecord();
    await target.store.create(record);
    const orphan = newRecord();
    await target.raw.set(userCodeKeyOf(orphan), newSessionId());
    expect(await target.store.findByUserCode(orphan.userCode as string)).toBeNull();
    // Nor one pointing at a session of another user code.
    await target.raw.set(userCodeKeyOf(orphan), record.id);
    expect(await target.store.findByUserCode(orphan.userCode as string)).toBeNull();
  });

  test('a non-final change keeps the TTLs; a final state drops the marker and keeps the hash for the retention time', async () => {
    const record = newRecord({ expiresAt: Date.now() + 60_000 });
    await target.store.create(record);
    const [hashKey, ttlKey] = keysOf(record.id);
    await target.store.update(record.id, 1, { state: 'scanned', user: ANA, scannedAt: Date.now() });
    expect(await target.raw.pttl(ttlKey)).toBeGreaterThan(50_000);
    await target.store.update(record.id, 2, { state: 'cancelled' });
    expect(await target.raw.pttl(ttlKey)).toBe(-2);
    const hashTtl = await target.raw.pttl(hashKey);
    expect(hashTtl).toBeGreaterThan(110_000);
    expect(hashTtl).toBeLessThanOrEqual(120_000);
  });

  test('every key is under the prefix, and a store with another prefix sees none of them', async () => {
    const record = newRecord();
    await target.store.create(record);
    await target.store.update(record.id, 1, { state: 'scanned', user: ANA, scannedAt: Date.now() });
    expect((await target.raw.keys(target.raw.keyPrefix)).sort()).toEqual([...keysOf(record.id), userCodeKeyOf(record)].sort());
    const other = await target.raw.otherPrefix();
    expect(await other.find(record.id)).toBeNull();
    expect(await other.update(record.id, 2, { state: 'cancelled' })).toBe('gone');
    expect(await target.store.find(record.id)).toMatchObject({ state: 'scanned', version: 2 });
  });

  test('a sealed answer is its own key of the session, with the window as its PX, and not a field of the hash', async () => {
    const record = newRecord({ expiresAt: Date.now() + 60_000 });
    await target.store.create(record);
    await target.store.update(record.id, 1, { state: 'scanned', user: ANA, scannedAt: Date.now() });
    await target.store.update(record.id, 2, { state: 'confirmed' });
    await target.store.update(record.id, 3, { state: 'redeemed', keepSealedAnswer: { sealed: 'v1.sealed', forMs: 90_000 } });
    const answerKey = `${target.raw.keyPrefix}session:{${record.id}}:answer`;
    expect((await target.raw.keys(target.raw.keyPrefix)).sort()).toEqual([keysOf(record.id)[0], answerKey, userCodeKeyOf(record)].sort());
    const ttl = await target.raw.pttl(answerKey);
    expect(ttl).toBeGreaterThan(80_000);
    expect(ttl).toBeLessThanOrEqual(90_000);
    expect(Object.values(await target.raw.hash(keysOf(record.id)[0]))).not.toContain('v1.sealed');
  });

  test('the hash holds the documented fields, and the secret only as its hash', async () => {
    const record = newRecord();
    await target.store.create(record);
    await target.store.update(record.id, 1, { state: 'scanned', user: ANA, scannedAt: 1234 });
    expect(await target.raw.hash(keysOf(record.id)[0])).toEqual({
      state: 'scanned',
      version: '2',
      secretHash: record.secretHash,
      code: record.code,
      userCode: record.userCode,
      createdAt: String(record.createdAt),
      expiresAt: String(record.expiresAt),
      ip: record.ip,
      userAgent: record.userAgent,
      userId: 'ana',
      userName: 'Ana',
      userAvatar: ANA.avatarUrl,
      scannedAt: '1234',
    });
  });
}
