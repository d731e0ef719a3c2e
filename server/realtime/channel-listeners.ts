/**
 * The listeners of one channel on this node and the subscription they share,
 * as both ChannelBus implementations (channels.ts, redis/channels.ts) keep
 * them.
 *
 * Built for the idle case, which is what a node holds by the tens of
 * thousands: one waiting session is three channels (its changes and its two
 * keys' keyspace events), each with exactly one listener (the hub subscribes
 * once per session, whatever its number of sockets and long polls). So a
 * channel is one object and a listener another, the listener's methods live
 * on its class rather than in closures, a Set is made only for a second
 * listener, and a subscribed channel keeps no promise of its own.
 */
import type { Subscription } from './channels';

/** The `ready` of every channel whose subscription has settled: one shared promise instead of one per channel. */
export const SETTLED: Promise<void> = Promise.resolve();

export class Channel {
  /** Resolves once subscribed (or given up: a resubscription then re-reads); SETTLED from then on. */
  ready: Promise<void> = SETTLED;
  /** The only listener, or undefined when there are several (`many`) or none. */
  private one: Listener | undefined;
  /** Made for a second listener, and kept from then on (the channel goes when its last listener does). */
  private many: Set<Listener> | undefined;

  /**
   * @param onLastLeft called once the last listener has left (a function shared
   *   by all the bus's channels: it drops the channel and unsubscribes).
   */
  constructor(
    readonly name: string,
    private readonly onLastLeft: (channel: Channel) => void,
  ) {}

  /** The channel is ready once `subscribing` (which never rejects) resolves. */
  waitFor(subscribing: Promise<void>): void {
    const ready = subscribing.then(() => {
      // Once settled, nobody needs this promise any more: drop it (unless a newer one replaced it).
      if (this.ready === ready) this.ready = SETTLED;
    });
    this.ready = ready;
  }

  /** A new listener; the same function listening twice is two listeners. */
  listen(onMessage: (message: string) => void): Subscription {
    const listener = new Listener(this, onMessage);
    if (this.many) this.many.add(listener);
    else if (!this.one) this.one = listener;
    else {
      this.many = new Set([this.one, listener]);
      this.one = undefined;
    }
    return listener;
  }

  deliver(message: string): void {
    if (this.one) this.one.onMessage(message);
    else this.many?.forEach((listener) => listener.onMessage(message));
  }

  /** Listener.close: a listener that already left changes nothing. */
  leave(listener: Listener): void {
    if (this.one === listener) this.one = undefined;
    else if (!this.many?.delete(listener)) return;
    if (!this.one && !this.many?.size) this.onLastLeft(this);
  }
}

/** One listener's hold on a channel: what ChannelBus.listen returns. */
class Listener implements Subscription {
  constructor(
    private readonly channel: Channel,
    readonly onMessage: (message: string) => void,
  ) {}

  get ready(): Promise<void> {
    return this.channel.ready;
  }

  close(): void {
    this.channel.leave(this);
  }
}
