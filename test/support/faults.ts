/** Helpers for tests that break Redis or nodes on purpose (test/faults.test.ts, bench/soak.ts). */
import Redis from 'ioredis';
import { call } from './client';

/** Polls `check` until it returns true; rejects after `timeoutMs`. For states that have no event to wait on. */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const readyStatus = async (url: string): Promise<number> => (await call(url, 'GET', '/readyz')).status;

/** Runs `fn` and returns its result with the time it took. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

/** Subscriptions Redis holds right now, summed over every subscriber connection (adapter and keyspace listeners of every node). */
export async function subscriptions(redisUrl: string): Promise<{ patterns: number; channels: number }> {
  const admin = adminClient(redisUrl);
  try {
    await admin.connect();
    const list = (await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
    const sum = (field: string) => [...list.matchAll(new RegExp(` ${field}=(\\d+)`, 'g'))].reduce((n, m) => n + Number(m[1]), 0);
    return { patterns: sum('psub'), channels: sum('sub') };
  } finally {
    admin.disconnect();
  }
}

/** Drops every client connection of the given type (`normal` commands, `pubsub` subscribers); returns how many. */
export async function killConnections(redisUrl: string, type: 'normal' | 'pubsub'): Promise<number> {
  const admin = adminClient(redisUrl);
  try {
    await admin.connect();
    return Number(await admin.client('KILL', 'TYPE', type, 'SKIPME', 'yes'));
  } finally {
    admin.disconnect();
  }
}

/** A one-off connection for inspecting or breaking Redis; its own errors are the test's to see, not noise. */
function adminClient(redisUrl: string): Redis {
  const admin = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  admin.on('error', () => undefined);
  return admin;
}
