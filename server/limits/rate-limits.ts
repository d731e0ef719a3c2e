/**
 * Rate limits (PROTOCOL.md 429 `rate_limited`). With Redis the counters are
 * shared by every node; a per-node memory counter stands in while Redis is
 * away, so an outage neither lifts the limits nor turns them into errors.
 */
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, RLWrapperTimeouts, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { ipNetworkKey } from '../client-ip';
import { LoginError } from '../errors';
import type { Cluster, Redis } from 'ioredis';
import type { CreationQuota } from '../session/store';

export type LimitName = 'create' | 'mobileIp' | 'mobileUser' | 'session' | 'handshake' | 'browserIp' | 'browserFailure' | 'userCodeIp' | 'userCodeUser' | 'connection';

export interface RateLimits {
  /**
   * Counts one request of `key` against `name`; throws LoginError `rate_limited` (with retryAfterSeconds) when over.
   * A key naming a client is `ipKey(ip)` (alone or within a longer key), never the bare address.
   */
  consume(name: LimitName, key: string): Promise<void>;
  /** What per-IP limits count `ip` under: IPv4 by address, IPv6 by its network (ipv6PrefixLength). */
  ipKey(ip: string): string;
  /** Gives back one point consumed for `key` (a try that turned out not to count); best effort. */
  refund(name: LimitName, key: string): Promise<void>;
  /** Limit `name` for `key` as a quota a store counts itself (Store.countsCreations); undefined when that limit is off. */
  quota(name: LimitName, key: string): CreationQuota | undefined;
  /** The error for a request a store found over its quota, counted like any refusal. */
  overQuota(name: LimitName, retryAfterMs: number): LoginError;
}

export interface RateLimitOptions {
  /** Requests per window of each limit; 0 or absent: that limit is off. */
  points: Partial<Record<LimitName, number>>;
  windowSeconds: number;
  /** Limits counted over a window of their own instead (the user-code limits: 10 minutes). */
  windowsSeconds?: Partial<Record<LimitName, number>>;
  /** Prefix of the counters' Redis keys (REDIS_KEY_PREFIX). */
  keyPrefix: string;
  /** Shared counters; without it every node counts on its own. */
  redis?: Redis | Cluster;
  /** Told of every refusal (the qrlogin_rate_limited_total metric). */
  onLimited?: (name: LimitName) => void;
  /** IPv6 clients are counted by network of this prefix length (IPV6_PREFIX_LENGTH; default 64). */
  ipv6PrefixLength?: number;
  /** How long a count waits for Redis before the node counts alone (RATE_LIMIT_REDIS_WAIT_MS; default 150). */
  redisWaitMs?: number;
}

/** Keys are user input (user ids from tokens): bounded so a long one cannot bloat Redis. */
const MAX_KEY_LENGTH = 256;

export function createRateLimits(options: RateLimitOptions): RateLimits {
  const limiters = new Map<LimitName, RateLimiterAbstract>();
  for (const [name, points] of Object.entries(options.points) as [LimitName, number | undefined][]) {
    if (points && points > 0) limiters.set(name, limiter(name, points, options));
  }
  const ipv6PrefixLength = options.ipv6PrefixLength ?? 64;
  const refusal = (name: LimitName, msBeforeNext: number): LoginError => {
    options.onLimited?.(name);
    const retryAfterSeconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
    return new LoginError('rate_limited', `Too many requests; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
  };
  return {
    ipKey: (ip) => ipNetworkKey(ip, ipv6PrefixLength),
    async consume(name, key) {
      const limiter = limiters.get(name);
      if (!limiter) return;
      try {
        await limiter.consume(key.slice(0, MAX_KEY_LENGTH));
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        throw refusal(name, err.msBeforeNext);
      }
    },
    quota(name, key) {
      const points = options.points[name];
      if (!points || points <= 0) return undefined;
      return { key: key.slice(0, MAX_KEY_LENGTH), points, windowMs: 1000 * (options.windowsSeconds?.[name] ?? options.windowSeconds) };
    },
    overQuota: refusal,
    async refund(name, key) {
      await limiters.get(name)?.reward(key.slice(0, MAX_KEY_LENGTH)).catch(() => undefined);
    },
  };
}

function limiter(name: LimitName, points: number, options: RateLimitOptions): RateLimiterAbstract {
  const duration = options.windowsSeconds?.[name] ?? options.windowSeconds;
  const keyPrefix = `${options.keyPrefix}ratelimit:${name}`;
  const memory = new RateLimiterMemory({ points, duration, keyPrefix });
  if (!options.redis) return memory;
  const shared = new RateLimiterRedis({ storeClient: options.redis, points, duration, keyPrefix, rejectIfRedisNotReady: true });
  // Redis away or hung: count on this node at once, so the request is not held for
  // a command timeout here before its own store call (which then answers 503 itself).
  const timeoutMs = options.redisWaitMs ?? DEFAULT_REDIS_WAIT_MS;
  return new RLWrapperTimeouts({ limiter: shared, timeoutMs, insuranceLimiter: memory }) as unknown as RateLimiterAbstract;
}

/** Far above a Redis round trip (well under a millisecond here, FIELD-NOTES.md) and far below the 2 s command timeout. */
const DEFAULT_REDIS_WAIT_MS = 150;
