import { createShardedAdapter } from '@socket.io/redis-adapter';
import { isCluster, REDIS_CLIENT_OPTIONS, type RedisClient } from './connect';

/**
 * Socket.IO's Redis adapter, kept for what it is for: a site's own cross-node
 * room broadcasts, `fetchSockets` and `serverSideEmit` on the server that
 * `attach()` returns. qrlogin's pushes never go through it (they ride the
 * per-session and per-sid channels of realtime/channels.ts), so it must cost
 * nothing per login: the sharded adapter in static mode holds two shard
 * channels per namespace and no pattern (a PSUBSCRIBE makes every PUBLISH on
 * the server slower), and publishes only when a site broadcasts. Needs Redis 7
 * (SSUBSCRIBE), as Cluster pub/sub already does.
 */
export function createSocketAdapter(
  client: RedisClient,
  keyPrefix: string,
  onError: (err: Error) => void,
): { adapter: ReturnType<typeof createShardedAdapter>; close(): Promise<void> } {
  const pub = isCluster(client) ? client.duplicate() : client.duplicate({ ...REDIS_CLIENT_OPTIONS, lazyConnect: false });
  // Subscriptions wait for a connection and never time out: ioredis subscribes
  // again by itself after a reconnect.
  const subscriberOptions = { ...REDIS_CLIENT_OPTIONS, commandTimeout: undefined, enableOfflineQueue: true };
  const sub = isCluster(client)
    ? client.duplicate([], { shardedSubscribers: true, enableOfflineQueue: true, redisOptions: subscriberOptions })
    : client.duplicate({ ...subscriberOptions, lazyConnect: false });
  pub.on('error', onError);
  sub.on('error', onError);
  return {
    adapter: createShardedAdapter(pub, withSubscribeErrorsCaught(sub, onError), { channelPrefix: `${keyPrefix}socket.io`, subscriptionMode: 'static' }),
    async close() {
      pub.disconnect();
      sub.disconnect();
    },
  };
}

/**
 * The adapter drops the promises of its (un)subscribe calls: one rejected
 * because the connection closed meanwhile (a shutdown) would be an unhandled
 * rejection, which ends the process. This view of the client catches them.
 */
function withSubscribeErrorsCaught(client: RedisClient, onError: (err: Error) => void): RedisClient {
  return new Proxy(client, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop !== 'ssubscribe' && prop !== 'sunsubscribe') return value.bind(target);
      return (...args: unknown[]) => {
        const reply = (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        reply.catch(onError);
        return reply;
      };
    },
  });
}
