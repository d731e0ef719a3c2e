import { waitFor } from '../../test/support/expect';
import { LoginService } from '../session/service';
import type { Snapshot } from '../session/types';
import { MemoryStore } from '../session/memory-store';
import { SessionHub } from './hub';

/**
 * The hub's expiry check, with a real store and service. The hub's clock runs
 * ahead of the store's, as a node's timer does of a Redis TTL that started a
 * moment later: the first re-read still finds the session live.
 */
describe('SessionHub expiry check', () => {
  const store = new MemoryStore();
  const service = new LoginService({
    store,
    publicUrl: 'http://127.0.0.1:1',
    ttlMs: 400,
    confirmWindowMs: 60_000,
    issueWebToken: async () => ({ token: 'unused', expiresIn: 1 }),
  });
  afterAll(() => store.close());

  test('pushes expired once, and never re-sends the live version the socket got on connect', async () => {
    const emitted: Snapshot[] = [];
    const hub = new SessionHub({ read: (id) => service.snapshot(id), emitLocal: (s) => emitted.push(s), now: () => Date.now() + 250 });
    const { record } = await service.create({ ip: '127.0.0.1', userAgent: 'jest' });
    const unwatch = hub.watchSocket(record.id, new Date(record.expiresAt).toISOString());
    try {
      const expired = await waitFor(() => emitted.find((s) => s.state === 'expired'));
      expect(expired.version).toBe(2);
      expect(emitted.map((s) => `${s.version}:${s.state}`)).toEqual(['2:expired']);
    } finally {
      unwatch();
      hub.close();
    }
  });
});

describe('SessionHub.seen', () => {
  const snapshot = (version: number, state: Snapshot['state']): Snapshot => ({ id: 's1', state, version, expiresAt: new Date(Date.now() + 60_000).toISOString() });

  test('is the newest snapshot delivered while someone here watches, and forgotten after', () => {
    const hub = new SessionHub({ read: async () => null, emitLocal: () => undefined });
    hub.deliver(snapshot(2, 'scanned')); // nobody watches yet: ignored
    expect(hub.seen('s1')).toBeUndefined();
    const unwatch = hub.watchSocket('s1', snapshot(1, 'pending').expiresAt);
    hub.deliver(snapshot(3, 'confirmed'));
    hub.deliver(snapshot(2, 'scanned')); // late hint of an older version
    expect(hub.seen('s1')).toMatchObject({ version: 3, state: 'confirmed' });
    unwatch();
    expect(hub.seen('s1')).toBeUndefined();
    hub.close();
  });
});
