/**
 * Channels a node listens to only while someone here waits on them — the
 * ports the realtime layer needs from a pub/sub server (server/redis/
 * implements them on Redis). Any push that must reach "whichever node holds
 * the browser" uses them: the `/login` namespace (fanout.ts) and, the same
 * way, sign-out pushes on `/session`.
 *
 *   const listening = channels.listen(channel, (message) => deliver(message));
 *   await listening.ready;      // subscribed: NOW read the state the listener waits on,
 *                               // so a change written in between is heard or read
 *   listening.close();          // this listener is done; the channel's last one unsubscribes
 *   channels.publish(channel, message);       // fire-and-forget: a hint, never a secret
 *   channels.onResubscribed(() => reReadAll()); // after a lost connection came back:
 *                                               // what was published meanwhile is lost
 *
 * Listeners of one channel share one subscription (the first subscribes, the
 * last unsubscribes), so a node's subscriptions follow its local listeners
 * and a message published on a channel reaches only the nodes that wait on
 * it: the cost of a push follows the work, not the number of nodes.
 */
import { Channel, SETTLED } from './channel-listeners';

/** One listener's hold on a channel. */
export interface Subscription {
  /** Resolves once the server confirmed the subscription (or gave up: then a resubscription re-reads). Never rejects. */
  ready: Promise<void>;
  /** Leaves; idempotent. */
  close(): void;
}

export interface ChannelBus {
  listen(channel: string, onMessage: (message: string) => void): Subscription;
  /** Publishes to whoever listens now, on any node; failures are logged, never thrown (pushes are hints). */
  publish(channel: string, message: string): void;
  /** Called after a subscriber connection came back and its subscriptions are in place again. */
  onResubscribed(callback: () => void): void;
  close(): Promise<void>;
}

/**
 * Changes to a session's keys made by something other than this node's own
 * writes (its TTL running out, an outside writer), watched per session while
 * someone here waits on it.
 */
export interface KeyWatcher {
  watch(id: string, onChange: () => void): Subscription;
  onResubscribed(callback: () => void): void;
  close(): Promise<void>;
}

/** Several subscriptions held and given up as one. */
export function allOf(subscriptions: Subscription[]): Subscription {
  return new AllOf(subscriptions);
}

/**
 * A class rather than an object of closures, and `ready` made when asked (once
 * per local listener) rather than kept: a node holds one of these per waiting
 * session, and a settled promise kept for each was memory for nothing.
 */
class AllOf implements Subscription {
  constructor(private readonly subscriptions: Subscription[]) {}

  get ready(): Promise<void> {
    return Promise.all(this.subscriptions.map((s) => s.ready)).then(() => undefined);
  }

  close(): void {
    for (const subscription of this.subscriptions) subscription.close();
  }
}

/** A subscription to nothing: ready at once (a single process has no other node to hear from). */
export const NO_SUBSCRIPTION: Subscription = { ready: SETTLED, close: () => undefined };

/**
 * ChannelBus within one process (the memory store: a single node, nothing to
 * tell other nodes). Messages reach this process's listeners a turn later, as
 * they would from Redis.
 */
export class LocalChannels implements ChannelBus {
  private readonly channels = new Map<string, Channel>();

  listen(name: string, onMessage: (message: string) => void): Subscription {
    let channel = this.channels.get(name);
    if (!channel) {
      channel = new Channel(name, this.lastLeft);
      this.channels.set(name, channel);
    }
    return channel.listen(onMessage);
  }

  publish(name: string, message: string): void {
    const channel = this.channels.get(name);
    if (channel) setImmediate(() => channel.deliver(message));
  }

  onResubscribed(): void {
    // Nothing to lose in one process.
  }

  async close(): Promise<void> {
    this.channels.clear();
  }

  private readonly lastLeft = (channel: Channel): void => {
    if (this.channels.get(channel.name) === channel) this.channels.delete(channel.name);
  };
}
