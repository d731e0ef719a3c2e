import Redis, { type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { MemoryStore } from './memory';
import { RedisStore } from './redis';
import type { Store } from './store';

export interface StoreConnection {
  store: Store;
  /** The command client, when the store is Redis (the adapter and keyspace listener duplicate it). */
  redis?: Redis;
  close(): Promise<void>;
}

/**
 * Options for every connection qrlogin opens. Commands fail fast while Redis is
 * away (no offline queue, a command timeout), so requests answer 503 quickly
 * instead of hanging; the client keeps reconnecting in the background.
 */
export const REDIS_CLIENT_OPTIONS: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 2000,
  connectTimeout: 2000,
  retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2000),
};

export async function connectStore(options: {
  redisUrl?: string;
  keyPrefix: string;
  logger: Logger;
}): Promise<StoreConnection> {
  if (!options.redisUrl) {
    options.logger.warn(
      'REDIS_URL is not set: using the in-memory store. Sessions are lost on restart and are not shared between processes; for development only.',
    );
    const store = new MemoryStore();
    return { store, close: () => store.close() };
  }
  const redis = new Redis(options.redisUrl, { ...REDIS_CLIENT_OPTIONS, lazyConnect: true });
  redis.on('error', (err) => options.logger.warn({ err: err.message }, 'redis connection error'));
  await redis.connect();
  const store = new RedisStore(redis, { keyPrefix: options.keyPrefix });
  return {
    store,
    redis,
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
