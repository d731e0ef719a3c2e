/**
 * Child process of test/watch-memory.test.ts, run from dist/ (built by
 * `npm test`'s pretest) so that its heap holds the server's modules and
 * nothing of jest: watches SESSIONS sessions through the real hub, fanout,
 * RedisChannels and keyspace watcher on the Redis at TEST_REDIS_URL, one
 * socket listener each as the `/login` namespace holds them, and prints (one
 * JSON line, a WatchCensus) what the heap keeps per session, by kind.
 */
import { randomBytes } from 'node:crypto';
import { getHeapSnapshot } from 'node:v8';
import Redis from 'ioredis';
import { createLogger } from '../../server/log';
import { changesChannel } from '../../server/redis/keys';
import { openPubSub } from '../../server/redis/pubsub';
import { Fanout } from '../../server/realtime/fanout';

export interface WatchCensus {
  sessions: number;
  /** Per watched session: heap bytes, closures, and objects by constructor name (those that changed by at least 0.5). */
  perSession: { bytes: number; closures: number; objects: Record<string, number> };
}

const SESSIONS = 2000;

interface Census {
  bytes: number;
  closures: number;
  objects: Map<string, number>;
}

/** Counts the live heap (a snapshot collects garbage first) by kind of node. */
async function census(): Promise<Census> {
  let json = '';
  for await (const chunk of getHeapSnapshot()) json += chunk;
  const snapshot = JSON.parse(json) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const [type, name, size] = ['type', 'name', 'self_size'].map((field) => fields.indexOf(field)) as [number, number, number];
  const result: Census = { bytes: 0, closures: 0, objects: new Map() };
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    result.bytes += snapshot.nodes[i + size]!;
    const kind = types[snapshot.nodes[i + type]!];
    if (kind === 'closure') result.closures++;
    if (kind === 'object') {
      const constructor = snapshot.strings[snapshot.nodes[i + name]!]!;
      result.objects.set(constructor, (result.objects.get(constructor) ?? 0) + 1);
    }
  }
  return result;
}

async function main(): Promise<void> {
  const client = new Redis(process.env.TEST_REDIS_URL as string);
  const keyPrefix = `test:${randomBytes(4).toString('hex')}:`;
  const pubsub = await openPubSub({ client, keyPrefix, logger: createLogger('silent'), onError: () => undefined, onMessage: () => undefined });
  const fanout = new Fanout({
    read: async () => null,
    channels: pubsub.channels,
    channelOf: (id) => changesChannel(keyPrefix, id),
    keys: pubsub.keyspace,
    nodeId: 'probe',
    pushTimer: { deliver: (_snapshot, _writtenAt, deliver) => deliver(), emitted: () => undefined },
  });
  const expiresAt = new Date(Date.now() + 600_000).toISOString();
  // Ids made before the first census: the browser's handshake holds its id anyway.
  const ids = Array.from({ length: SESSIONS + 10 }, () => randomBytes(16).toString('base64url'));
  // A few sessions come and go first, so that lazily made things are not counted per session.
  const warmUp = ids.splice(0, 10).map((id) => fanout.hub.watchSocket(id, expiresAt));
  await Promise.all(warmUp.map((listener) => listener.subscribed));
  warmUp.forEach((listener) => listener.close());

  const before = await census();
  const listeners = ids.map((id) => fanout.hub.watchSocket(id, expiresAt));
  await Promise.all(listeners.map((listener) => listener.subscribed));
  const after = await census();

  const objects: Record<string, number> = {};
  for (const constructor of new Set([...before.objects.keys(), ...after.objects.keys()])) {
    const perSession = ((after.objects.get(constructor) ?? 0) - (before.objects.get(constructor) ?? 0)) / SESSIONS;
    if (Math.abs(perSession) >= 0.5) objects[constructor] = Math.round(perSession * 100) / 100;
  }
  const result: WatchCensus = {
    sessions: SESSIONS,
    perSession: {
      bytes: Math.round((after.bytes - before.bytes) / SESSIONS),
      closures: Math.round(((after.closures - before.closures) / SESSIONS) * 100) / 100,
      objects,
    },
  };
  listeners.forEach((listener) => listener.close());
  fanout.close();
  await pubsub.close();
  client.disconnect();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
