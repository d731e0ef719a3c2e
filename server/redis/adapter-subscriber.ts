import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';

const SUBSCRIPTION_COMMANDS = ['subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe', 'ssubscribe', 'sunsubscribe'] as const;

/**
 * @socket.io/redis-adapter calls (p)(un)subscribe without handling the
 * returned promise. While Redis is away (a node shut down during an outage,
 * say) those promises reject unhandled, which ends a Node process with an
 * error instead of a clean shutdown. This logs such failures instead; the
 * subscriber re-subscribes by itself when it reconnects.
 */
export function logSubscriptionFailures(client: Redis | Cluster, logger: Logger): void {
  for (const name of SUBSCRIPTION_COMMANDS) {
    const original = client[name].bind(client) as (...args: unknown[]) => Promise<unknown>;
    Object.assign(client, {
      [name]: (...args: unknown[]) => {
        const result = original(...args);
        result.catch((err: Error) => logger.warn({ err: err.message, command: name }, 'redis adapter subscription failed'));
        return result;
      },
    });
  }
}
