import type { Logger } from 'pino';
import type { RedisClient } from './connect';

type Publish = (...args: unknown[]) => Promise<number>;

/**
 * The Socket.IO Redis adapter calls `publish()` (`spublish()` when sharded)
 * without handling its promise. With the offline queue off, a publish while
 * Redis is away rejects at once, and an unhandled rejection ends the Node
 * process: one lost connection would take the node down. Pushed events are
 * only hints (every reconnect re-reads Redis), so a failed publish is logged
 * and dropped.
 */
export function catchPublishErrors(pub: RedisClient, logger: Logger): void {
  const client = pub as unknown as Record<'publish' | 'spublish', Publish>;
  for (const method of ['publish', 'spublish'] as const) {
    const send = client[method].bind(pub);
    client[method] = (...args) => {
      const sent = send(...args);
      sent.catch((err: Error) => logger.warn({ err: err.message }, 'redis adapter publish failed; other nodes miss this hint'));
      return sent;
    };
  }
}
