/**
 * What a waiting session costs a node's realtime bookkeeping, counted in heap
 * snapshots (not timed): the node holds one per idle browser, by the tens of
 * thousands, so the per-session figure is the idle-socket memory of
 * docs/BENCHMARKS.md. A probe process (test/support/watch-memory-probe.ts)
 * watches sessions through the real hub, fanout, Redis channels and keyspace
 * watcher, and reports what its heap keeps per session.
 *
 * Each session is three subscriptions (its changes channel, its hash's and its
 * TTL marker's keyspace events), all kept. When "targeted delivery" came in,
 * each also kept a Set, a closure or two and a settled promise per channel and
 * per combination: 4 Sets, 6 promises, 15 closures, 4.2 KB a session. They are
 * one object per channel, per listener and per holder now.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './support/node-process';
import type { WatchCensus } from './support/watch-memory-probe';

const PROBE = join(ROOT, 'dist', 'test', 'support', 'watch-memory-probe.js');

function runProbe(): Promise<WatchCensus> {
  const env = { PATH: process.env.PATH, TEST_REDIS_URL: process.env.TEST_REDIS_URL };
  const child = spawn(process.execPath, [PROBE], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('close', (code) => {
      if (code === 0) resolve(JSON.parse(stdout) as WatchCensus);
      else reject(new Error(`watch-memory probe exited with ${code}:\n${stderr}`));
    });
  });
}

test('a watched session keeps one object per channel, listener and holder: no Set, no promise, a few closures', async () => {
  const { perSession } = await runProbe();
  const count = (constructor: string) => perSession.objects[constructor] ?? 0;
  // Three channels, one listener each (the hub subscribes once per session).
  expect(count('Channel')).toBe(3);
  expect(count('Listener')).toBe(3);
  // Sets are made for a second listener only; promises are made when asked, not kept.
  expect(count('Set')).toBe(0);
  expect(count('Promise')).toBe(0);
  // The message handlers given to the channels (fanout's two, the keyspace filters) and the hub's expiry timer.
  expect(perSession.closures).toBeLessThan(5.5);
  // 2.3 KB on Node 20 (channel names included, held twice: here and in ioredis); 4.2 KB before.
  expect(perSession.bytes).toBeLessThan(3000);
});
