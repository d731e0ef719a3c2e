import type { SignedOutEvent } from '../../client/shared/protocol';
import type { SignOut, SignOutReason } from '../devices/types';
import type { KeyedChannel } from './keyed-channel';

export interface SignOutHubOptions {
  /** Reaches the node that holds a browser; absent with a single node (memory store). */
  channel?: KeyedChannel;
  /** Whether the user's `sid` is signed out, from the store (the source of truth). */
  read: (userId: string, sid: string) => Promise<SignOutReason | null>;
  onError?: (err: unknown, sid: string) => void;
}

export type SignOutListener = (event: SignedOutEvent) => void;

interface Watch {
  userId: string;
  sid: string;
  listeners: Set<SignOutListener>;
  /** The channel subscription of this sid, while it has listeners here. */
  unlisten?: Promise<(() => void) | undefined>;
}

/**
 * A node's view of the logged-in browsers it holds (`/session` sockets), by
 * sid. A sign-out written anywhere reaches exactly the node holding that
 * browser: this node listens on the sid's channel only while one of its
 * sockets is signed in as it. A message is only a hint: the node re-reads
 * the store before it signs a browser out, so nothing else on the channel
 * can sign anyone out. A sign-out written here is delivered directly.
 */
export class SignOutHub {
  private readonly watches = new Map<string, Watch>();

  constructor(private readonly options: SignOutHubOptions) {}

  /**
   * `listener` hears once of the sign-out of `sid` (of `userId`). Resolves
   * once subscribed and re-read: a sign-out written before or meanwhile is
   * delivered too, so none falls between the handshake's check and here.
   */
  async watch(sid: string, userId: string, listener: SignOutListener): Promise<() => void> {
    // By user and sid: a sid belongs to one user, and a message about it never reaches another's browser.
    const key = watchKey(userId, sid);
    let watch = this.watches.get(key);
    if (!watch) {
      const created: Watch = { userId, sid, listeners: new Set() };
      created.unlisten = this.options.channel
        ?.listen(sid, () => void this.check(created))
        .catch((err) => {
          this.options.onError?.(err, sid);
          return undefined;
        });
      this.watches.set(key, created);
      watch = created;
    }
    const current = watch;
    current.listeners.add(listener);
    const stop = () => {
      if (!current.listeners.delete(listener) || current.listeners.size > 0) return;
      this.release(current);
    };
    await current.unlisten;
    await this.check(current);
    return stop;
  }

  /** A sign-out this node wrote: its own browsers hear now, the node holding the others through the sid's channel. */
  announce(signOut: SignOut): void {
    const watch = this.watches.get(watchKey(signOut.userId, signOut.sid));
    if (watch) this.deliver(watch, signOut.reason);
    this.options.channel?.publish(signOut.sid, signOut.reason);
  }

  /** Re-reads every watched sid (after a lost subscriber connection, when messages may have been missed). */
  resync(): void {
    for (const watch of this.watches.values()) void this.check(watch);
  }

  /** sids with a local listener (metrics and tests). */
  get size(): number {
    return this.watches.size;
  }

  close(): void {
    for (const watch of this.watches.values()) this.release(watch);
  }

  private async check(watch: Watch): Promise<void> {
    let reason: SignOutReason | null;
    try {
      reason = await this.options.read(watch.userId, watch.sid);
    } catch (err) {
      this.options.onError?.(err, watch.sid);
      return;
    }
    if (reason) this.deliver(watch, reason);
  }

  private deliver(watch: Watch, reason: SignOutReason): void {
    const listeners = [...watch.listeners];
    watch.listeners.clear();
    this.release(watch);
    for (const listener of listeners) listener({ sid: watch.sid, reason });
  }

  private release(watch: Watch): void {
    const key = watchKey(watch.userId, watch.sid);
    if (this.watches.get(key) === watch) this.watches.delete(key);
    void watch.unlisten?.then((unlisten) => unlisten?.());
    watch.unlisten = undefined;
  }
}

const watchKey = (userId: string, sid: string) => `${userId}\n${sid}`;
