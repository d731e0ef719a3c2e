import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './support/node-process';

/**
 * `npm run bench` turned all the way down: every scenario runs once on a few
 * logins and sockets, so a change elsewhere that breaks the benchmark shows
 * here. Nothing about speed is asserted (that is what the bench itself is for).
 */
test('the benchmark runs every scenario and reports each figure with its target', async () => {
  const results = join(mkdtempSync(join(tmpdir(), 'qrlogin-bench-')), 'results.json');
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'bench', 'run.js')], {
    env: {
      ...process.env,
      BENCH_RUNS: '1',
      BENCH_SAMPLES: '8',
      BENCH_SOCKETS: '60',
      BENCH_LOAD_SECONDS: '1',
      BENCH_WARMUP: '20',
      BENCH_RESULTS: results,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  expect({ code, output }).toMatchObject({ code: 0 });

  const report = JSON.parse(readFileSync(results, 'utf8'));
  const targets = report.table.filter((row: { target?: string }) => row.target);
  expect(targets.map((row: { figure: string }) => row.figure)).toEqual([
    'confirm → token, push, one node: p50 / p99',
    'confirm → token, push, two nodes: p50 / p99',
    'polling mean / push mean (one node)',
    'idle socket RSS (heap), 60 on one node',
    'creation (SDK) / healthz, side by side',
    'event-loop delay under mixed load: p50 / p99',
    'fan-out: idle node CPU per foreign login / serving node',
    'fan-out: Redis CPU per login, 7 idle nodes / 1',
  ]);
  for (const row of targets) expect(typeof row.met).toBe('boolean');
  for (const group of Object.values(report.medians) as Record<string, number>[]) {
    for (const value of Object.values(group)) expect(Number.isFinite(value)).toBe(true);
  }
  // The table printed holds the same rows, each target marked.
  expect(output.match(/\| (met|MISSED) +\|/g)).toHaveLength(8);
}, 240_000);
