import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { allOf, type KeyWatcher, type Subscription } from '../realtime/channels';
import { RedisChannels } from './channels';
import { isCluster, REDIS_CLIENT_OPTIONS, type RedisClient } from './connect';
import { sessionKey, ttlKey } from './keys';

/**
 * Keyspace event classes qrlogin needs: K (keyspace channel), h (hash commands:
 * an outside writer's HINCRBY of `version`), x (`expired`, the TTL marker
 * running out). Nothing else.
 */
export const REQUIRED_FLAGS = 'Khx';
/** What `A` stands for in notify-keyspace-events. */
const ALL_CLASSES = 'g$lshzxetd';

export interface KeyspaceWatcherOptions {
  /** The command client (a Redis or a Cluster); the watcher opens its own subscriber connections. */
  client: RedisClient;
  keyPrefix: string;
  logger: Logger;
  /** Told of every event received (the qrlogin_pubsub_messages_received_total metric). */
  onMessage?: () => void;
}

export interface KeyspaceWatcher extends KeyWatcher {
  /** False when some server refused CONFIG: expiry then relies on the hub's timers. */
  configured: boolean;
}

/** The flags to set so that `current` also covers REQUIRED_FLAGS, or null when it already does. */
export function mergeFlags(current: string): string | null {
  const expanded = current.includes('A') ? current + ALL_CLASSES : current;
  const missing = [...REQUIRED_FLAGS].filter((flag) => !expanded.includes(flag));
  return missing.length ? current + missing.join('') : null;
}

/**
 * The events that carry news: the TTL marker running out (expiry), and the
 * `version` bump of an outside writer, which README "Key layout" asks for as
 * HINCRBY. qrlogin's own scripts set `version` with HSET, so their echo (an
 * `hset` event) is skipped: the writing node published the new snapshot itself.
 */
const OUTSIDE_WRITE = 'hincrby';

/**
 * Keyspace events of the sessions this node's listeners wait on, per key:
 * SUBSCRIBE `__keyspace@<db>__:<key>` for the session's two keys while
 * someone here waits on it — never a pattern over every session, which each
 * node would hear for every write anywhere.
 *
 * With a Cluster, keyspace events are local to the node holding the key: one
 * subscriber per cluster node, replicas included (a replica promoted by a
 * failover starts sending the events of its slots), following nodes as the
 * cluster adds and drops them; a watched key is subscribed on each.
 */
export async function watchKeyspace(options: KeyspaceWatcherOptions): Promise<KeyspaceWatcher> {
  const { client, keyPrefix, logger } = options;
  const db = isCluster(client) ? 0 : (client.options.db ?? 0);
  const channelOf = (key: string) => `__keyspace@${db}__:${key}`;

  /** Per cluster node (one entry for a single Redis): its subscriber, and how each watch holds it. */
  const nodes: Nodes = new Map();
  /** Every watch now, so that a node added later subscribes them too. */
  const watches = new Set<KeyWatch>();
  const resubscribed = new Set<() => void>();
  let warned = false;

  const hold = (channels: RedisChannels, { id, onChange }: KeyWatch): Subscription =>
    allOf([
      channels.listen(channelOf(ttlKey(keyPrefix, id)), (event) => event === 'expired' && onChange()),
      channels.listen(channelOf(sessionKey(keyPrefix, id)), (event) => event === OUTSIDE_WRITE && onChange()),
    ]);

  /** Enables the flags on `server` and opens its subscriber; resolves false when it refused CONFIG. */
  const listen = async (server: Redis): Promise<boolean> => {
    const address = `${server.options.host}:${server.options.port}`;
    if (nodes.has(address)) return true;
    const subscriber = server.duplicate({ ...REDIS_CLIENT_OPTIONS, enableOfflineQueue: true, lazyConnect: false });
    subscriber.on('error', (err) => logger.warn({ err: err.message, redis: address }, 'redis keyspace subscriber error'));
    const channels = new RedisChannels({ subscriber, publisher: server, sharded: false, logger, onMessage: options.onMessage });
    channels.onResubscribed(() => resubscribed.forEach((callback) => callback()));
    // A restarted Redis has forgotten CONFIG SET (unless it was persisted): set the flags again on every reconnect.
    const reenable = () => void enableNotifications(server);
    server.on('ready', reenable);
    const node: Node = { channels, held: new Map(), stopReenabling: () => server.off('ready', reenable) };
    nodes.set(address, node);
    for (const watch of watches) node.held.set(watch, hold(channels, watch));
    const enabled = await enableNotifications(server);
    if (enabled !== true && !warned) {
      warned = true;
      logger.warn(
        { reason: enabled, redis: address },
        `Redis refused CONFIG, so qrlogin cannot enable keyspace notifications itself. Expiry is still pushed by this node's timers; ` +
          `to also push changes written by other processes, set notify-keyspace-events to include "${REQUIRED_FLAGS}" in your Redis settings.`,
      );
    }
    return enabled === true;
  };
  const forget = (server: Redis) => {
    const address = `${server.options.host}:${server.options.port}`;
    const node = nodes.get(address);
    if (!node) return;
    nodes.delete(address);
    node.stopReenabling();
    void node.channels.close();
  };
  const onNodeAdded = (server: Redis) => {
    listen(server).catch((err) => logger.warn({ err: err.message }, 'could not listen to a new cluster node'));
  };

  let results: boolean[];
  if (isCluster(client)) {
    client.on('+node', onNodeAdded);
    client.on('-node', forget);
    results = await Promise.all(client.nodes('all').map(listen));
  } else {
    results = [await listen(client)];
  }

  return {
    configured: results.every(Boolean),
    watch(id, onChange) {
      const watch = new KeyWatch(id, onChange, nodes, watches);
      watches.add(watch);
      for (const node of nodes.values()) node.held.set(watch, hold(node.channels, watch));
      return watch;
    },
    onResubscribed(callback) {
      resubscribed.add(callback);
    },
    async close() {
      if (isCluster(client)) {
        client.off('+node', onNodeAdded);
        client.off('-node', forget);
      }
      const closing = [...nodes.values()].map((node) => {
        node.stopReenabling();
        return node.channels.close();
      });
      nodes.clear();
      watches.clear();
      await Promise.all(closing);
    },
  };
}

interface Node {
  channels: RedisChannels;
  /** Each watch's hold on this node's subscriber: its two keys' channels. */
  held: Map<KeyWatch, Subscription>;
  stopReenabling: () => void;
}
/** By address. */
type Nodes = Map<string, Node>;

/**
 * One watch of a session's keys, held on every node (what KeyWatcher.watch
 * returns). A class, with `ready` made when asked: a node holds one per
 * waiting session, so no closures or settled promises are kept for it.
 */
class KeyWatch implements Subscription {
  constructor(
    readonly id: string,
    readonly onChange: () => void,
    private readonly nodes: Nodes,
    private readonly watches: Set<KeyWatch>,
  ) {}

  /** Subscribed on every node. */
  get ready(): Promise<void> {
    return allOf([...this.nodes.values()].flatMap((node) => node.held.get(this) ?? [])).ready;
  }

  close(): void {
    if (!this.watches.delete(this)) return;
    for (const node of this.nodes.values()) {
      node.held.get(this)?.close();
      node.held.delete(this);
    }
  }
}

/** Adds the flags qrlogin needs to the server's notify-keyspace-events, keeping the ones already set. */
async function enableNotifications(server: Redis): Promise<true | string> {
  try {
    const reply = (await server.config('GET', 'notify-keyspace-events')) as string[];
    const merged = mergeFlags(reply[1] ?? '');
    if (merged !== null) await server.config('SET', 'notify-keyspace-events', merged);
    return true;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
