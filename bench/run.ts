/**
 * `npm run bench`: starts its own redis-server and qrlogin nodes, runs every
 * scenario of docs/BENCHMARKS.md BENCH_RUNS times (default 3), prints the
 * table with each target met or missed, and writes bench/results.json.
 * Each figure is the median over the runs; each ratio is taken within a run.
 */
import { join } from 'node:path';
import { ROOT } from '../test/support/node-process';
import { withCluster } from './lib/cluster';
import { closeHttpClient } from './lib/http';
import { updateDoc } from './lib/docs';
import { machine, printTable, writeResults } from './lib/report';
import { medianOf } from './lib/stats';
import { rows, type LatencyRun } from './table';
import { eventLoopRun, type EventLoopRun } from './scenarios/event-loop';
import { fanoutRun, type FanoutRun } from './scenarios/fanout';
import { longPollRun, pollingRun, pushRun, roundTripRun, skeletonRun } from './scenarios/latency';
import { memoryRun, type MemoryRun } from './scenarios/memory';
import { creationRun, qrRenderCost, type CreationRun } from './scenarios/throughput';

// Knobs (environment), defaults as recorded in docs/BENCHMARKS.md; the smoke test turns them all down.
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** Idle browser sockets on one node for the memory figure (capped by the node's descriptor limit, see scenarios/memory.ts). */
const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 50000);
const PUSH_SAMPLES = Number(process.env.BENCH_SAMPLES ?? 500);
const POLLING_BROWSERS = Math.ceil(PUSH_SAMPLES / 10);
const LONG_POLL_SAMPLES = Math.ceil(PUSH_SAMPLES / 4);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 4);
/**
 * Warm-up before anything is timed: WARMUP skeleton rounds, WARMUP logins on one
 * node, half as many across two. On this machine the first few thousand round
 * trips after a start are slower, qrlogin and the no-work skeleton alike (p99
 * ~4-5 ms falling to ~1-2 ms; not GC: single-threaded GC and a larger young
 * generation change nothing), so the figures are those of a warm server.
 */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1500);
/** Runs of the memory scenario (its per-socket figure hardly moves between runs, and 50,000 sockets take minutes). */
const MEMORY_RUNS = Math.min(RUNS, Number(process.env.BENCH_MEMORY_RUNS ?? 1));
const IDLE_SOCKETS_UNDER_LOAD = Math.min(1000, SOCKETS);
/** Logins per fan-out measurement (each of the two: one idle node attached, then seven). */
const FANOUT_LOGINS = PUSH_SAMPLES * 2;
/** Comma-separated subset of latency,memory,event-loop,fanout (default all), for profiling one at a time. */
const ONLY = new Set((process.env.BENCH_ONLY ?? 'latency,memory,event-loop,fanout').split(','));
const KNOBS = ['BENCH_RUNS', 'BENCH_MEMORY_RUNS', 'BENCH_SOCKETS', 'BENCH_SAMPLES', 'BENCH_LOAD_SECONDS', 'BENCH_WARMUP', 'BENCH_ONLY', 'BENCH_CPU_PROF'];
/** Only a run with every default is recorded (bench/results.json and docs/BENCHMARKS.md); others go to a trial file. */
const RECORDED = !process.env.BENCH_RESULTS && KNOBS.every((knob) => !process.env[knob]);
const RESULTS = process.env.BENCH_RESULTS ?? join(ROOT, 'bench', RECORDED ? 'results.json' : 'results-trial.json');

const log = (text: string) => process.stderr.write(`[bench] ${text}\n`);

async function latencyAndThroughput(): Promise<{ latency: LatencyRun[]; creation: CreationRun[] }> {
  return withCluster(2, async ([a, b], redis) => {
    const [A, B] = [a!.url, b!.url];
    log(`warming up: ${WARMUP} skeleton rounds, ${WARMUP + WARMUP / 2} logins`);
    await skeletonRun(A, WARMUP);
    await pushRun(A, A, WARMUP);
    await pushRun(A, B, WARMUP / 2);
    await longPollRun(A, Math.ceil(WARMUP / 50));
    const latency: LatencyRun[] = [];
    const creation: CreationRun[] = [];
    for (let run = 1; run <= RUNS; run++) {
      log(`latency run ${run}/${RUNS}`);
      const rtt = await roundTripRun(A, PUSH_SAMPLES);
      const skeleton = await skeletonRun(A, PUSH_SAMPLES);
      const one = await pushRun(A, A, PUSH_SAMPLES);
      const two = await pushRun(A, B, PUSH_SAMPLES);
      const polling = await pollingRun(A, POLLING_BROWSERS);
      const longPoll = await longPollRun(A, LONG_POLL_SAMPLES);
      const qr = await qrRenderCost(A, Math.ceil(PUSH_SAMPLES / 2));
      latency.push({
        push1P50: one.token.p50,
        push1P99: one.token.p99,
        push1Mean: one.token.mean,
        push1EventP50: one.event.p50,
        push1EventP99: one.event.p99,
        push2P50: two.token.p50,
        push2P99: two.token.p99,
        push2Mean: two.token.mean,
        push2EventP50: two.event.p50,
        push2EventP99: two.event.p99,
        roundTripP50: rtt.p50,
        roundTripP99: rtt.p99,
        skeletonP50: skeleton.p50,
        skeletonP99: skeleton.p99,
        push1OverSkeletonP99: one.token.p99 / skeleton.p99,
        pollingP50: polling.p50,
        pollingP99: polling.p99,
        pollingMean: polling.mean,
        longPollP50: longPoll.p50,
        longPollP99: longPoll.p99,
        pollingOverPush: polling.mean / one.token.mean,
        qrSvgMs: qr.svgMs,
        qrPngMs: qr.pngMs,
      });
      log(`creation run ${run}/${RUNS}`);
      // Twice the rounds of the other load figures: one round of slices moves a lot on a shared machine.
      creation.push(await creationRun(A, LOAD_SECONDS * 2, { node: a!.process.pid!, redis: redis.process.pid! }));
    }
    return { latency, creation };
  });
}

async function memory(): Promise<MemoryRun[]> {
  const runs: MemoryRun[] = [];
  for (let run = 1; run <= MEMORY_RUNS; run++) {
    log(`memory run ${run}/${MEMORY_RUNS}: ${SOCKETS} sockets asked`);
    runs.push(await withCluster(2, ([waiting, creating]) => memoryRun(waiting!, creating!, SOCKETS), { QR_TTL_SECONDS: '600' }));
  }
  return runs;
}

async function eventLoop(): Promise<EventLoopRun[]> {
  return withCluster(1, async ([node]) => {
    const runs: EventLoopRun[] = [];
    await pushRun(node!.url, node!.url, WARMUP / 2);
    for (let run = 1; run <= RUNS; run++) {
      log(`event-loop run ${run}/${RUNS}`);
      runs.push(await eventLoopRun(node!, IDLE_SOCKETS_UNDER_LOAD, LOAD_SECONDS * 2));
    }
    return runs;
  });
}


/** A serving node, idle nodes (1, then 7) on one Redis: what a login costs the others. */
async function fanout(): Promise<FanoutRun[]> {
  const runs: FanoutRun[] = [];
  for (let run = 1; run <= RUNS; run++) {
    log(`fan-out run ${run}/${RUNS}: ${FANOUT_LOGINS} logins with 1, then 7 idle nodes`);
    runs.push(await fanoutRun(FANOUT_LOGINS, Math.ceil(WARMUP / 3)));
  }
  return runs;
}

async function main(): Promise<void> {
  const started = Date.now();
  const host = machine();
  const { latency, creation } = ONLY.has('latency') ? await latencyAndThroughput() : { latency: [], creation: [] };
  const memoryRuns = ONLY.has('memory') ? await memory() : [];
  const eventLoopRuns = ONLY.has('event-loop') ? await eventLoop() : [];
  const fanoutRuns = ONLY.has('fanout') ? await fanout() : [];
  const medians = {
    latency: latency.length ? medianOf(latency) : undefined,
    creation: creation.length ? medianOf(creation) : undefined,
    memory: memoryRuns.length ? medianOf(memoryRuns) : undefined,
    eventLoop: eventLoopRuns.length ? medianOf(eventLoopRuns) : undefined,
    fanout: fanoutRuns.length ? medianOf(fanoutRuns) : undefined,
  };
  const table = rows(medians);
  process.stdout.write(`\n${printTable(table)}\n\n`);
  const seconds = Math.round((Date.now() - started) / 1000);
  process.stdout.write(`${RUNS} runs, ${seconds} s, on ${host.cpus} × ${host.cpuModel}, Node ${host.node}\n`);
  writeResults(RESULTS, {
    date: new Date().toISOString(),
    seconds,
    machine: host,
    runs: RUNS,
    table,
    medians,
    perRun: { latency, creation, memory: memoryRuns, eventLoop: eventLoopRuns, fanout: fanoutRuns },
  });
  if (RECORDED) {
    updateDoc(join(ROOT, 'docs', 'BENCHMARKS.md'), printTable(table), host, new Date().toISOString(), seconds, RUNS, medians);
  }
  closeHttpClient();
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
