import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { isCluster, REDIS_CLIENT_OPTIONS, type RedisClient } from './connect';
import { parseKey } from './keys';

/**
 * Keyspace event classes qrlogin needs: K (keyspace channel), h (hash commands:
 * an outside writer's HINCRBY of `version`), x (`expired`, the TTL marker
 * running out). Nothing else.
 */
export const REQUIRED_FLAGS = 'Khx';
/** What `A` stands for in notify-keyspace-events. */
const ALL_CLASSES = 'g$lshzxetd';

export interface KeyspaceListenerOptions {
  /** The command client (a Redis or a Cluster); the listener opens its own subscriber connections. */
  client: RedisClient;
  keyPrefix: string;
  /** Called with a session id whenever one of its keys changed (the hub re-reads and delivers). */
  hint: (id: string) => void;
  /** Called after a subscriber reconnects: events sent while it was away are lost, so re-read everything. */
  resync?: () => void;
  logger: Logger;
}

export interface KeyspaceListener {
  /** False when some server refused CONFIG: expiry then relies on the hub's timers. */
  configured: boolean;
  close(): Promise<void>;
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
 * `hset` event) is skipped: the writing node already told every node itself
 * (serverSideEmit), and re-reading on the echo would cost each watching node
 * one Redis read per transition.
 */
const OUTSIDE_WRITE = 'hincrby';

/** Escapes glob characters so a key prefix like `app[1]:` matches only itself in PSUBSCRIBE. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/**
 * Turns Redis keyspace events on session keys into hub hints, so that a TTL
 * running out in Redis, or a session written by another process that follows
 * the documented layout, reaches this node's browsers. The hub delivers to
 * local listeners only and drops versions it already delivered, so every node
 * hearing the same event never sends anything twice.
 *
 * With a Cluster, keyspace events are local to the node holding the key: one
 * subscriber per cluster node, replicas included (a replica promoted by a
 * failover starts sending the events of its slots), following nodes as the
 * cluster adds and drops them.
 */
export async function listenToKeyspace(options: KeyspaceListenerOptions): Promise<KeyspaceListener> {
  const { client, keyPrefix, logger } = options;
  const db = isCluster(client) ? 0 : (client.options.db ?? 0);
  const pattern = `__keyspace@${db}__:${escapeGlob(keyPrefix)}session:*`;
  const onEvent = (_pattern: string, channel: string, event: string) => {
    const parsed = parseKey(keyPrefix, channel.slice(channel.indexOf('__:') + 3));
    if (!parsed) return;
    if (parsed.isTtlKey ? event === 'expired' : event === OUTSIDE_WRITE) options.hint(parsed.id);
  };

  let warned = false;
  const subscribers = new Map<string, Redis>();
  const stopReenabling = new Map<string, () => void>();
  /** Enables the flags on `server` and subscribes to its events; resolves false when it refused CONFIG. */
  const listen = async (server: Redis): Promise<boolean> => {
    const address = `${server.options.host}:${server.options.port}`;
    if (subscribers.has(address)) return true;
    const sub = server.duplicate({ ...REDIS_CLIENT_OPTIONS, enableOfflineQueue: true, lazyConnect: false });
    subscribers.set(address, sub);
    sub.on('error', (err) => logger.warn({ err: err.message, redis: address }, 'redis keyspace subscriber error'));
    sub.on('pmessage', onEvent);
    // A restarted Redis has forgotten CONFIG SET (unless it was persisted): set the flags again on every reconnect.
    const reenable = () => void enableNotifications(server);
    server.on('ready', reenable);
    stopReenabling.set(address, () => server.off('ready', reenable));
    let connectedBefore = false;
    sub.on('ready', () => {
      if (connectedBefore) options.resync?.();
      connectedBefore = true;
    });
    const [enabled] = await Promise.all([enableNotifications(server), sub.psubscribe(pattern)]);
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
    const sub = subscribers.get(address);
    subscribers.delete(address);
    stopReenabling.get(address)?.();
    stopReenabling.delete(address);
    sub?.quit().catch(() => sub.disconnect());
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
    async close() {
      if (isCluster(client)) {
        client.off('+node', onNodeAdded);
        client.off('-node', forget);
      }
      for (const stop of stopReenabling.values()) stop();
      await Promise.all([...subscribers.values()].map((sub) => sub.quit().catch(() => sub.disconnect())));
      subscribers.clear();
    },
  };
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
