import type { Logger } from 'pino';
import type { Config } from './config';
import { connectRedis, type RedisClient } from './redis/connect';
import { MemoryStore } from './session/memory-store';
import type { Store } from './session/store';

export interface StoreConnection {
  store: Store;
  /** The command client, when the store is Redis (pub/sub, keyspace and rate limits use it). */
  redis?: RedisClient;
  close(): Promise<void>;
}

/** A site's own store, Redis (REDIS_CLUSTER_NODES or REDIS_URL), or the in-memory store of a single development process. */
export async function connectStore(config: Config, logger: Logger, own?: Store): Promise<StoreConnection> {
  const hasRedis = Boolean(config.REDIS_CLUSTER_NODES || config.REDIS_URL);
  if (!hasRedis) {
    if (own) return { store: own, close: async () => {} };
    logger.warn(
      'REDIS_URL is not set: using the in-memory store. Sessions are lost on restart and are not shared between processes; for development only.',
    );
    const store = new MemoryStore();
    return { store, close: () => store.close() };
  }
  const redis = await connectRedis({ redisUrl: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES, keyPrefix: config.REDIS_KEY_PREFIX, logger });
  // With a site's own store, sessions live there and Redis carries what connects the nodes (pub/sub, keyspace, rate limits).
  return { store: own ?? redis.store, redis: redis.client, close: redis.close };
}
