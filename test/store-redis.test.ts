import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { RedisStore } from '../server/redis/store';
import { redisLayoutConformance, storeConformance, type StoreFactory } from './store.conformance';

const newPrefix = () => `test:store:${randomBytes(4).toString('hex')}:`;

/** A RedisStore on the run's redis-server, with its own client and key prefix. */
const redisStore: StoreFactory = async ({ retentionMs }) => {
  const client = new Redis(process.env.TEST_REDIS_URL as string);
  const keyPrefix = newPrefix();
  const store = new RedisStore(client, { keyPrefix, retentionMs });
  return {
    store,
    raw: {
      keyPrefix,
      keys: (prefix) => client.keys(`${prefix}*`),
      hash: (key) => client.hgetall(key),
      pttl: (key) => client.pttl(key),
      get: (key) => client.get(key),
      set: (key, value) => client.set(key, value),
      otherPrefix: async () => new RedisStore(client, { keyPrefix: newPrefix() }),
    },
    close: async () => {
      await client.quit();
    },
  };
};

describe('RedisStore', () => {
  storeConformance(redisStore);
  describe('key layout', () => redisLayoutConformance(redisStore));
});
