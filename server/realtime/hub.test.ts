import { waitFor } from '../../test/support/expect';
import { LoginService } from '../session/service';
import type { Snapshot } from '../session/types';
import { MemoryStore } from '../session/memory-store';
import type { Subscription } from './channels';
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
    const listening = hub.watchSocket(record.id, new Date(record.expiresAt).toISOString());
    try {
      const expired = await waitFor(() => emitted.find((s) => s.state === 'expired'));
      expect(expired.version).toBe(2);
      expect(emitted.map((s) => `${s.version}:${s.state}`)).toEqual(['2:expired']);
    } finally {
      listening.close();
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
    const listening = hub.watchSocket('s1', snapshot(1, 'pending').expiresAt);
    hub.deliver(snapshot(3, 'confirmed'));
    hub.deliver(snapshot(2, 'scanned')); // late hint of an older version
    expect(hub.seen('s1')).toMatchObject({ version: 3, state: 'confirmed' });
    listening.close();
    expect(hub.seen('s1')).toBeUndefined();
    hub.close();
  });
});

describe('SessionHub subscriptions follow local listeners', () => {
  /** A subscribe port that records what it was asked, with readiness the test releases. */
  function recordingSubscribe() {
    const log: string[] = [];
    const releases: (() => void)[] = [];
    const subscribe = (id: string): Subscription => {
      log.push(`subscribe ${id}`);
      return { ready: new Promise<void>((resolve) => releases.push(resolve)), close: () => log.push(`close ${id}`) };
    };
    return { log, subscribe, releaseAll: () => releases.splice(0).forEach((release) => release()) };
  }
  const expiresAt = () => new Date(Date.now() + 60_000).toISOString();

  test('the first listener (socket or long poll) subscribes, the others share it, the last one closes it', async () => {
    const { log, subscribe, releaseAll } = recordingSubscribe();
    const hub = new SessionHub({ read: async () => null, emitLocal: () => undefined, subscribe });
    const socket = hub.watchSocket('s1', expiresAt());
    const gone = new AbortController();
    const poll = hub.waitForChange('s1', expiresAt(), 1, 60_000, gone.signal);
    expect(log).toEqual(['subscribe s1']);
    // Both wait on the one subscription being in place.
    let subscribed = 0;
    void socket.subscribed.then(() => subscribed++);
    void poll.subscribed.then(() => subscribed++);
    await Promise.resolve();
    expect(subscribed).toBe(0);
    releaseAll();
    await Promise.all([socket.subscribed, poll.subscribed]);
    expect(subscribed).toBe(2);
    socket.close();
    socket.close(); // idempotent
    expect(log).toEqual(['subscribe s1']);
    gone.abort();
    await poll.changed;
    expect(log).toEqual(['subscribe s1', 'close s1']);
    // A new listener later subscribes again.
    hub.watchSocket('s1', expiresAt()).close();
    expect(log).toEqual(['subscribe s1', 'close s1', 'subscribe s1', 'close s1']);
    hub.close();
  });

  test('close() gives every subscription up, and a closed hub subscribes to nothing more', () => {
    const { log, subscribe } = recordingSubscribe();
    const hub = new SessionHub({ read: async () => null, emitLocal: () => undefined, subscribe });
    hub.watchSocket('s1', expiresAt());
    hub.watchSocket('s2', expiresAt());
    hub.close();
    expect(log.sort()).toEqual(['close s1', 'close s2', 'subscribe s1', 'subscribe s2']);
    hub.watchSocket('s3', expiresAt());
    expect(log).not.toContain('subscribe s3');
  });
});
