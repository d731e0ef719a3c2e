import { FINAL_STATES, type Snapshot } from '../session/types';
import { NO_SUBSCRIPTION, type Subscription } from './channels';

export interface SessionHubOptions {
  /** Reads the current snapshot from the store (the source of truth). */
  read: (id: string) => Promise<Snapshot | null>;
  /** Pushes a snapshot to this node's sockets of the session. */
  emitLocal: (snapshot: Snapshot) => void;
  /**
   * Starts hearing of `id` from elsewhere (other nodes, keyspace events), for
   * as long as anyone here waits on it: called for its first listener, closed
   * after its last. Default: nothing to hear (a single process).
   */
  subscribe?: (id: string) => Subscription;
  /** Told of each version delivered here (once per version; for metrics). */
  onDeliver?: (snapshot: Snapshot) => void;
  now?: () => number;
  onError?: (err: unknown, id: string) => void;
}

interface Waiter {
  after: number;
  resolve: () => void;
}

/** A local listener: read the state once `subscribed` resolves, so no change falls between. */
export interface Listening {
  subscribed: Promise<void>;
}

interface Watch {
  id: string;
  sockets: number;
  subscription: Subscription;
  /** Long polls; made for the first (most sessions only ever have a socket). */
  waiters?: Set<Waiter>;
  /** Newest snapshot pushed to this node's listeners: older or equal versions are dropped. */
  last?: Snapshot;
  expiryTimer?: NodeJS.Timeout;
}

/**
 * A node's view of the sessions its browsers wait on (sockets and long polls).
 * Changes reach it as hints from several sources — this node's own
 * transitions, other nodes, Redis keyspace events, expiry timers — and it
 * delivers each version once to its local listeners, whichever came first.
 * It holds a subscription per watched session (`subscribe`, see fanout.ts)
 * from its first listener to its last, so sessions nobody waits on here cost
 * nothing.
 */
export class SessionHub {
  private readonly watches = new Map<string, Watch>();
  private readonly now: () => number;
  private closed = false;

  constructor(private readonly options: SessionHubOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A socket of this node listens to `id` until `close()`. */
  watchSocket(id: string, expiresAt: string): Listening & { close(): void } {
    const watch = this.watch(id, expiresAt);
    watch.sockets++;
    return new SocketListener(watch, this.releaseWatch);
  }

  /**
   * `changed` resolves when a version newer than `after` is seen for `id`, or
   * after `waitMs`, or when `signal` aborts; the caller then reads the snapshot.
   */
  waitForChange(id: string, expiresAt: string, after: number, waitMs: number, signal?: AbortSignal): Listening & { changed: Promise<void> } {
    // A node shutting down answers long polls at once instead of holding them; nor is a caller already gone held.
    if (this.closed || signal?.aborted) return { subscribed: Promise.resolve(), changed: Promise.resolve() };
    const watch = this.watch(id, expiresAt);
    const changed = new Promise<void>((resolve) => {
      const waiter: Waiter = { after, resolve: () => finish() };
      const timer = setTimeout(() => finish(), waitMs);
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', finish);
        if (watch.waiters?.delete(waiter)) this.release(watch);
        resolve();
      };
      (watch.waiters ??= new Set()).add(waiter);
      signal?.addEventListener('abort', finish);
    });
    return { subscribed: watch.subscription.ready, changed };
  }

  /** A snapshot known to be current (written by this or another node). */
  deliver(snapshot: Snapshot): void {
    const watch = this.watches.get(snapshot.id);
    if (!watch || snapshot.version <= (watch.last?.version ?? 0)) return;
    watch.last = snapshot;
    this.options.onDeliver?.(snapshot);
    if (watch.sockets > 0) this.options.emitLocal(snapshot);
    for (const waiter of watch.waiters ?? []) if (snapshot.version > waiter.after) waiter.resolve();
  }

  /**
   * The newest snapshot of `id` pushed to this node's listeners, if any. A
   * hint, not the truth: the store may have moved on (a compare-and-set on its
   * version tells).
   */
  seen(id: string): Snapshot | undefined {
    return this.watches.get(id)?.last;
  }

  /** Something about `id` may have changed: if anyone here waits on it, re-read and deliver. */
  hint(id: string): void {
    if (!this.watches.has(id)) return;
    this.options.read(id).then(
      (snapshot) => snapshot && this.deliver(snapshot),
      (err) => this.options.onError?.(err, id),
    );
  }

  /** Re-reads every watched session (after a lost connection to Redis, when pushed changes may have been missed). */
  resync(): void {
    for (const id of this.watches.keys()) this.hint(id);
  }

  /** Sessions with at least one local listener (for metrics and tests). */
  get size(): number {
    return this.watches.size;
  }

  close(): void {
    this.closed = true;
    for (const watch of this.watches.values()) {
      clearTimeout(watch.expiryTimer);
      watch.subscription.close();
      for (const waiter of watch.waiters ?? []) waiter.resolve();
    }
    this.watches.clear();
  }

  private watch(id: string, expiresAt: string): Watch {
    let watch = this.watches.get(id);
    if (!watch) {
      // A closed hub (shutting down) subscribes to nothing more.
      const subscription = (!this.closed && this.options.subscribe?.(id)) || NO_SUBSCRIPTION;
      watch = { id, sockets: 0, subscription };
      // Expiry is pushed even when no store event arrives (managed Redis without
      // keyspace notifications, the memory store): re-read just after the deadline.
      const delay = Date.parse(expiresAt) - this.now() + 5;
      if (delay > 0 && delay < 2 ** 31) {
        this.armExpiryCheck(id, watch, delay);
      }
      this.watches.set(id, watch);
    }
    return watch;
  }

  private armExpiryCheck(id: string, watch: Watch, delay: number): void {
    watch.expiryTimer = setTimeout(() => this.checkExpiry(id, watch), delay);
    watch.expiryTimer.unref();
  }

  /**
   * Re-reads a session that should have expired by now. Redis starts the TTL a
   * moment after the deadline was computed (and may be unreachable): until the
   * store says the session is over, look again shortly.
   */
  private checkExpiry(id: string, watch: Watch): void {
    const again = (delay: number) => {
      if (this.watches.get(id) === watch) this.armExpiryCheck(id, watch, delay);
    };
    this.options.read(id).then(
      (snapshot) => {
        if (!snapshot) return;
        // Still live: the TTL lags the deadline by a moment. A live snapshot is no
        // news (each change was pushed when written), and delivering it would repeat
        // the version a socket got on connect, which the hub never sees: look again.
        if (FINAL_STATES.has(snapshot.state)) this.deliver(snapshot);
        else again(100);
      },
      (err) => {
        this.options.onError?.(err, id);
        again(1000);
      },
    );
  }

  /** The one release function every socket listener is given, rather than a closure per socket. */
  private readonly releaseWatch = (watch: Watch): void => this.release(watch);

  private release(watch: Watch): void {
    if (watch.sockets > 0 || watch.waiters?.size) return;
    clearTimeout(watch.expiryTimer);
    if (this.watches.get(watch.id) !== watch) return;
    this.watches.delete(watch.id);
    watch.subscription.close();
  }
}

/** A socket's hold on its session: a class, as a node keeps one per idle socket. */
class SocketListener implements Listening {
  private open = true;

  constructor(
    private readonly watch: Watch,
    private readonly release: (watch: Watch) => void,
  ) {}

  /** Made when asked (a socket asks once), rather than kept for the socket's lifetime. */
  get subscribed(): Promise<void> {
    return this.watch.subscription.ready;
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.watch.sockets--;
    this.release(this.watch);
  }
}
