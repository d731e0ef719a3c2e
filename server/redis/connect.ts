import Redis, { Cluster, type ClusterNode, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { RedisStore } from './store';

export type RedisClient = Redis | Cluster;

export interface RedisConnection {
  store: RedisStore;
  /** The command client (the pub/sub and keyspace listeners duplicate it). */
  client: RedisClient;
  close(): Promise<void>;
}

/**
 * Options for every connection qrlogin opens. Commands fail fast while Redis is
 * away (no offline queue, a command timeout), so requests answer 503 quickly
 * instead of hanging; the client keeps reconnecting in the background.
 */
export const REDIS_CLIENT_OPTIONS: RedisOptions = {
  enableOfflineQueue: false,
  // A command whose connection dropped before its reply may have run: sending it
  // again would run a state change twice (a create or redeem seen as a conflict,
  // answered 500 or already_redeemed). It fails with the command timeout instead (503).
  autoResendUnfulfilledCommands: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 2000,
  connectTimeout: 2000,
  retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2000),
};

/**
 * The same for each node of a Cluster, except the offline queue: the cluster
 * connects to a node lazily on its first command, which must wait for it.
 */
const CLUSTER_NODE_OPTIONS: RedisOptions = { ...REDIS_CLIENT_OPTIONS, enableOfflineQueue: true };

export function isCluster(client: RedisClient): client is Cluster {
  return (client as Cluster).isCluster === true;
}

/** "host:port,host:port" (REDIS_CLUSTER_NODES) as ioredis startup nodes. */
export function parseClusterNodes(list: string): ClusterNode[] {
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const at = entry.lastIndexOf(':');
      return at > 0 ? { host: entry.slice(0, at), port: Number(entry.slice(at + 1)) } : { host: entry, port: 6379 };
    });
}

export function createCluster(nodes: ClusterNode[]): Cluster {
  return new Cluster(nodes, {
    lazyConnect: true,
    // Like a single Redis: while the cluster is not ready, commands fail at once (503) instead of queueing.
    enableOfflineQueue: false,
    redisOptions: CLUSTER_NODE_OPTIONS,
    clusterRetryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2000),
    // Follow failovers and resharding soon after they happen.
    slotsRefreshInterval: 5000,
  });
}

/**
 * A duplicate of `client` for long-lived subscriptions: it queues its
 * (S)SUBSCRIBEs until connected and resubscribes after a reconnect. For a
 * Cluster, `sharded` gives it one subscriber per master (Redis 7 sharded pub/sub).
 */
export function duplicateForSubscribing(client: RedisClient, options: { sharded?: boolean } = {}): RedisClient {
  if (isCluster(client)) return client.duplicate([], { shardedSubscribers: options.sharded ?? false, enableOfflineQueue: true });
  return client.duplicate({ ...REDIS_CLIENT_OPTIONS, lazyConnect: false, enableOfflineQueue: true });
}

/** A duplicate of `client` that publishes, failing fast while Redis is away. */
export function duplicateForPublishing(client: RedisClient): RedisClient {
  if (isCluster(client)) return client.duplicate();
  return client.duplicate({ ...REDIS_CLIENT_OPTIONS, lazyConnect: false });
}

/** Resolves once `client` is connected (and, for a Cluster, knows the slots). */
export async function whenReady(client: RedisClient): Promise<void> {
  if (client.status === 'ready') return;
  if (client.status === 'wait') return client.connect();
  await new Promise((resolve) => client.once('ready', resolve));
}

/** Connects to one Redis (`redisUrl`) or a Cluster (`clusterNodes`, which wins) and opens the session store on it. */
export async function connectRedis(options: {
  redisUrl?: string;
  clusterNodes?: string;
  keyPrefix: string;
  logger: Logger;
}): Promise<RedisConnection> {
  const client: RedisClient = options.clusterNodes
    ? createCluster(parseClusterNodes(options.clusterNodes))
    : new Redis(options.redisUrl ?? '', { ...REDIS_CLIENT_OPTIONS, lazyConnect: true });
  client.on('error', (err) => options.logger.warn({ err: err.message }, 'redis connection error'));
  await client.connect();
  return {
    store: new RedisStore(client, { keyPrefix: options.keyPrefix }),
    client,
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
