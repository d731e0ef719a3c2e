import type { Config } from '../config';
import { createRateLimits, type LimitName, type RateLimitOptions, type RateLimits } from './rate-limits';

/**
 * The rate limits of a configuration: which RATE_LIMIT_* setting is which
 * limit, and their windows. With RATE_LIMITS off every limit is off (the
 * open-socket cap, a count rather than a rate, is the socket server's).
 */
export function rateLimitsFromConfig(config: Config, redis: RateLimitOptions['redis'], onLimited: (name: LimitName) => void): RateLimits {
  return createRateLimits({
    points: config.RATE_LIMITS
      ? {
          create: config.RATE_LIMIT_CREATE_PER_IP,
          mobileIp: config.RATE_LIMIT_MOBILE_PER_IP,
          mobileUser: config.RATE_LIMIT_MOBILE_PER_USER,
          session: config.RATE_LIMIT_SESSION_READS,
          handshake: config.RATE_LIMIT_HANDSHAKES_PER_IP,
          browserIp: config.RATE_LIMIT_BROWSER_PER_IP,
          browserFailure: config.RATE_LIMIT_BROWSER_FAILURES_PER_IP,
          userCodeIp: config.RATE_LIMIT_USER_CODE_PER_IP,
          userCodeUser: config.RATE_LIMIT_USER_CODE_PER_USER,
          connection: config.RATE_LIMIT_CONNECTIONS_PER_IP,
        }
      : {},
    windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
    windowsSeconds: { userCodeIp: config.RATE_LIMIT_USER_CODE_WINDOW_SECONDS, userCodeUser: config.RATE_LIMIT_USER_CODE_WINDOW_SECONDS },
    ipv6PrefixLength: config.IPV6_PREFIX_LENGTH,
    redisWaitMs: config.RATE_LIMIT_REDIS_WAIT_MS,
    keyPrefix: config.REDIS_KEY_PREFIX,
    redis,
    onLimited,
  });
}
