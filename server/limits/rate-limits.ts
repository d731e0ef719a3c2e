/**
 * Rate limits (PROTOCOL.md 429 `rate_limited`). With Redis the counters are
 * shared by every node; a per-node memory counter stands in while Redis is
 * away, so an outage neither lifts the limits nor turns them into errors.
 */
import type { RedisClient } from '../store/connect';
import type { Context, Middleware } from 'koa';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, RLWrapperTimeouts, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config';
import { LoginError } from '../errors';

export type LimitName = 'create' | 'mobileIp' | 'mobileUser' | 'session' | 'handshake';

export interface RateLimits {
  /** Counts one request of `key` against `name`; throws LoginError `rate_limited` (with Retry-After) when over. */
  consume(name: LimitName, key: string): Promise<void>;
}

const POINTS: Record<LimitName, keyof Config> = {
  create: 'RATE_LIMIT_CREATE_PER_IP',
  mobileIp: 'RATE_LIMIT_MOBILE_PER_IP',
  mobileUser: 'RATE_LIMIT_MOBILE_PER_USER',
  session: 'RATE_LIMIT_SESSION_READS',
  handshake: 'RATE_LIMIT_HANDSHAKES_PER_IP',
};

/** Keys are user input (user ids from tokens): bounded so a long one cannot bloat Redis. */
const MAX_KEY_LENGTH = 256;

/** `onLimited` is told of every refusal (the qrlogin_rate_limited_total metric). */
export function createRateLimits(config: Config, redis?: RedisClient, onLimited?: (name: LimitName) => void): RateLimits {
  const limiters = new Map<LimitName, RateLimiterAbstract>();
  if (config.RATE_LIMITS) {
    for (const [name, setting] of Object.entries(POINTS) as [LimitName, keyof Config][]) {
      const points = config[setting] as number;
      if (points > 0) limiters.set(name, limiter(name, points, config, redis));
    }
  }
  return {
    async consume(name, key) {
      const limiter = limiters.get(name);
      if (!limiter) return;
      try {
        await limiter.consume(key.slice(0, MAX_KEY_LENGTH));
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        onLimited?.(name);
        const retryAfter = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
        throw new LoginError('rate_limited', `Too many requests; try again in ${retryAfter} s`, { 'Retry-After': String(retryAfter) });
      }
    },
  };
}

function limiter(name: LimitName, points: number, config: Config, redis?: RedisClient): RateLimiterAbstract {
  const duration = config.RATE_LIMIT_WINDOW_SECONDS;
  const keyPrefix = `${config.REDIS_KEY_PREFIX}ratelimit:${name}`;
  const memory = new RateLimiterMemory({ points, duration, keyPrefix });
  if (!redis) return memory;
  const shared = new RateLimiterRedis({ storeClient: redis, points, duration, keyPrefix, rejectIfRedisNotReady: true });
  // Redis away or hung: count on this node at once, so the request is not held for
  // a command timeout here before its own store call (which then answers 503 itself).
  return new RLWrapperTimeouts({ limiter: shared, timeoutMs: REDIS_LIMIT_TIMEOUT_MS, insuranceLimiter: memory }) as unknown as RateLimiterAbstract;
}

/** Far above a Redis round trip (well under a millisecond here, FIELD-NOTES.md) and far below the 2 s command timeout. */
const REDIS_LIMIT_TIMEOUT_MS = 150;

/** A Koa middleware counting the request against `name` under the key `keyOf` picks. */
export function limitBy(limits: RateLimits, name: LimitName, keyOf: (ctx: Context) => string): Middleware {
  return async (ctx, next) => {
    await limits.consume(name, keyOf(ctx));
    return next();
  };
}
