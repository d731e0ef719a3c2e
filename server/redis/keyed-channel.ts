import type { Logger } from 'pino';
import { duplicateForPublishing, duplicateForSubscribing, isCluster, whenReady, type RedisClient } from './connect';

export interface RedisKeyedChannelOptions {
  /** Channel names are `<channelPrefix>{<key>}`: the key is the Cluster hash tag, so each channel lives on one shard. */
  channelPrefix: string;
  logger: Logger;
  onError?: () => void;
  /** After the subscriber came back from a lost connection: what was published meanwhile is lost, so re-read. */
  resync?: () => void;
}

/**
 * realtime/keyed-channel.ts's KeyedChannel on Redis (matched by shape: redis/ does not import realtime/): SUBSCRIBE to a key's channel while this node has a
 * listener for it (SSUBSCRIBE on a Cluster, where a classic PUBLISH would be
 * copied to every node of the cluster), PUBLISH (SPUBLISH) to it. No pattern
 * subscription, so a publish costs Redis O(subscribers of that channel).
 */
export async function createRedisKeyedChannel(client: RedisClient, options: RedisKeyedChannelOptions) {
  const cluster = isCluster(client);
  const pub = duplicateForPublishing(client);
  const sub = duplicateForSubscribing(client, { sharded: true });
  for (const connection of [pub, sub]) {
    connection.on('error', (err: Error) => {
      options.onError?.();
      options.logger.warn({ err: err.message }, 'redis keyed channel connection error');
    });
  }
  await Promise.all([whenReady(pub), whenReady(sub)]);
  // ioredis subscribes again by itself after a reconnect; this runs once it has.
  let started = false;
  sub.on(cluster ? 'subscribersReady' : 'ready', () => {
    if (started) options.resync?.();
  });
  started = true;

  const listeners = new Map<string, Set<(message: string) => void>>();
  /** The SUBSCRIBE of each channel with listeners: later listeners wait for the same one. */
  const subscribed = new Map<string, Promise<unknown>>();
  sub.on(cluster ? 'smessage' : 'message', (channel: string, message: string) => {
    for (const listener of listeners.get(channel) ?? []) listener(message);
  });
  const channelOf = (key: string) => `${options.channelPrefix}{${key}}`;
  const command = (name: 'subscribe' | 'unsubscribe', channel: string): Promise<unknown> => {
    const target = sub as unknown as Record<string, (channel: string) => Promise<unknown>>;
    return target[cluster ? `s${name}` : name]!.call(sub, channel);
  };

  return {
    async listen(key: string, onMessage: (message: string) => void): Promise<() => void> {
      const channel = channelOf(key);
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
        subscribed.set(channel, command('subscribe', channel));
      }
      set.add(onMessage);
      const stop = () => {
        const current = listeners.get(channel);
        if (!current?.delete(onMessage) || current.size > 0) return;
        listeners.delete(channel);
        subscribed.delete(channel);
        command('unsubscribe', channel).catch((err: Error) =>
          options.logger.warn({ err: err.message, channel }, 'redis keyed channel unsubscribe failed'),
        );
      };
      try {
        await subscribed.get(channel);
      } catch (err) {
        stop();
        throw err;
      }
      return stop;
    },
    publish(key: string, message: string): void {
      const target = pub as unknown as Record<string, (channel: string, message: string) => Promise<unknown>>;
      target[cluster ? 'spublish' : 'publish']!.call(pub, channelOf(key), message).catch((err: Error) => {
        options.onError?.();
        options.logger.warn({ err: err.message }, 'redis keyed channel publish failed; other nodes miss this hint');
      });
    },
    async close(): Promise<void> {
      listeners.clear();
      subscribed.clear();
      await Promise.all([pub, sub].map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
