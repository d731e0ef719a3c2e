/**
 * Targeted pub/sub between nodes, by key (the `/session` namespace's sign-outs,
 * by sid): a node hears of a key only while it listens to it, so a message
 * costs only the nodes that wait on it. A view of the node's one ChannelBus
 * (channels.ts), so the `/login` and `/session` pushes share its subscriber
 * connection, its resubscription and its re-reads.
 */
import type { ChannelBus } from './channels';

export interface KeyedChannel {
  /**
   * Calls `onMessage` with what is published on `key` until the returned
   * function is called. Resolves once subscribed: whatever is published from
   * then on arrives (what came before must be read from the store).
   */
  listen(key: string, onMessage: (message: string) => void): Promise<() => void>;
  /** Best effort: a message is a hint, the store is the truth. */
  publish(key: string, message: string): void;
}

/** `bus` with each key on its own channel, `channelOf(key)`. */
export function keyedChannel(bus: ChannelBus, channelOf: (key: string) => string): KeyedChannel {
  return {
    async listen(key, onMessage) {
      const subscription = bus.listen(channelOf(key), onMessage);
      await subscription.ready;
      return () => subscription.close();
    },
    publish(key, message) {
      bus.publish(channelOf(key), message);
    },
  };
}
