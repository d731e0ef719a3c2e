/**
 * Targeted pub/sub between nodes: a node hears of a key only while it
 * listens to it (one channel per key), so a message costs only the nodes
 * that wait on it. server/redis/keyed-channel.ts is the Redis one; with the
 * memory store there is one node and no channel.
 */
export interface KeyedChannel {
  /**
   * Calls `onMessage` with what is published on `key` until the returned
   * function is called. Resolves once subscribed: whatever is published from
   * then on arrives (what came before must be read from the store).
   */
  listen(key: string, onMessage: (message: string) => void): Promise<() => void>;
  /** Best effort: a message is a hint, the store is the truth. */
  publish(key: string, message: string): void;
  close(): Promise<void>;
}
