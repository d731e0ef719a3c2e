import { startRedis } from './redis-server';

/**
 * One real redis-server for the whole run; tests isolate themselves with a
 * random key prefix. Tests that break Redis on purpose start their own.
 */
export default async function globalSetup(): Promise<void> {
  const redis = await startRedis();
  process.env.TEST_REDIS_URL = redis.url;
  (globalThis as { __REDIS__?: unknown }).__REDIS__ = redis;
}
