import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { RedisDeviceStore } from '../server/redis/device-store';
import { deviceKeyBase, SIGNED_OUT_SUFFIX, userDevicesKey } from '../server/redis/device-keys';
import { deviceStoreConformance, redisDeviceLayoutConformance, type DeviceStoreFactory } from './device-store.conformance';

/** A RedisDeviceStore on the run's redis-server, with its own client and key prefix. */
const redisDeviceStore: DeviceStoreFactory = async () => {
  const client = new Redis(process.env.TEST_REDIS_URL as string);
  const prefix = `test:devices:${randomBytes(4).toString('hex')}:`;
  return {
    store: new RedisDeviceStore(client, prefix),
    raw: {
      indexed: (userId) => client.zrange(userDevicesKey(prefix, userId), 0, -1),
      pttls: async (userId, sid) => ({
        index: await client.pttl(userDevicesKey(prefix, userId)),
        device: await client.pttl(deviceKeyBase(prefix, userId) + sid),
        signedOut: await client.pttl(deviceKeyBase(prefix, userId) + sid + SIGNED_OUT_SUFFIX),
      }),
    },
    close: async () => {
      await client.quit();
    },
  };
};

describe('RedisDeviceStore', () => {
  deviceStoreConformance(redisDeviceStore);
  describe('key layout', () => redisDeviceLayoutConformance(redisDeviceStore));
});
