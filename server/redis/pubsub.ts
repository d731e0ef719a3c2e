import type { Logger } from 'pino';
import { RedisChannels } from './channels';
import { duplicateForSubscribing, isCluster, type RedisClient } from './connect';
import { watchKeyspace } from './keyspace';

/** The pub/sub side of Redis: per-session change channels (sharded on a Cluster) and per-key keyspace events. */
export async function openPubSub(options: {
  client: RedisClient;
  keyPrefix: string;
  logger: Logger;
  onError: (err: Error) => void;
  onMessage: (kind: 'changes' | 'keyspace') => void;
}) {
  const { client, keyPrefix, logger } = options;
  const subscriber = duplicateForSubscribing(client, { sharded: true });
  subscriber.on('error', options.onError);
  const channels = await RedisChannels.open({
    subscriber,
    publisher: client,
    sharded: isCluster(client),
    logger,
    onMessage: () => options.onMessage('changes'),
  });
  const keyspace = await watchKeyspace({ client, keyPrefix, logger, onMessage: () => options.onMessage('keyspace') });
  return {
    channels,
    keyspace,
    close: () => Promise.all([channels.close(), keyspace.close()]),
  };
}
