import { createShardedAdapter } from '@socket.io/redis-adapter';
import { duplicateForPublishing, duplicateForSubscribing, type RedisClient } from './connect';

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
export function createSocketAdapter(client: RedisClient, keyPrefix: string): { adapter: ReturnType<typeof createShardedAdapter>; close(): Promise<void> } {
  const pub = duplicateForPublishing(client);
  const sub = duplicateForSubscribing(client, { sharded: true });
  return {
    adapter: createShardedAdapter(pub, sub, { channelPrefix: `${keyPrefix}socket.io`, subscriptionMode: 'static' }),
    async close() {
      pub.disconnect();
      sub.disconnect();
    },
  };
}
