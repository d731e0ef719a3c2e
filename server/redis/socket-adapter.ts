import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import type { Logger } from 'pino';
import type { ServerOptions } from 'socket.io';
import { logSubscriptionFailures } from './adapter-subscriber';
import { catchPublishErrors } from './publish-errors';
import { duplicateForPublishing, duplicateForSubscribing, isCluster, whenReady, type RedisClient } from './connect';

export interface NodeAdapter {
  /** For `io.adapter(...)`. */
  adapter: NonNullable<ServerOptions['adapter']>;
  close(): Promise<void>;
}

/**
 * The Socket.IO adapter that links the nodes through Redis: classic pub/sub on
 * one Redis, sharded pub/sub (Redis 7 SPUBLISH/SSUBSCRIBE) on a Cluster, where
 * classic PUBLISH would be copied to every node of the cluster.
 */
export async function createNodeAdapter(
  client: RedisClient,
  options: {
    keyPrefix: string;
    logger: Logger;
    onError?: () => void;
    /** Called after the subscriber reconnects: what other nodes published meanwhile is lost, so re-read what browsers here wait on. */
    resync?: () => void;
  },
): Promise<NodeAdapter> {
  const cluster = isCluster(client);
  const pub = duplicateForPublishing(client);
  const sub = duplicateForSubscribing(client, { sharded: true });
  for (const connection of [pub, sub]) {
    connection.on('error', (err: Error) => {
      options.onError?.();
      options.logger.warn({ err: err.message }, 'redis adapter connection error');
    });
  }
  logSubscriptionFailures(sub, options.logger);
  // Re-read after every (re)subscription; the first, at start, finds nothing to re-read.
  // A Cluster's sharded subscribers come back through its own reset, which ends in 'subscribersReady'.
  const resync = () => options.resync?.();
  sub.on(cluster ? 'subscribersReady' : 'ready', resync);
  catchPublishErrors(pub, options.logger);
  await Promise.all([whenReady(pub), whenReady(sub)]);
  const channel = `${options.keyPrefix}socket.io`;
  const adapter = cluster
    ? // 'static': nodes talk through serverSideEmit only, never room broadcasts, so no SSUBSCRIBE per session room.
      createShardedAdapter(pub, sub, { channelPrefix: channel, subscriptionMode: 'static' })
    : createAdapter(pub, sub, { key: channel, publishOnSpecificResponseChannel: true });
  return {
    adapter,
    async close() {
      await Promise.all([pub, sub].map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
