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
import { machine, printTable, writeResults, type Row } from './lib/report';
import { medianOf, round } from './lib/stats';
import { eventLoopRun, type EventLoopRun } from './scenarios/event-loop';
import { longPollRun, pollingRun, pushRun } from './scenarios/latency';
import { memoryRun, type MemoryRun } from './scenarios/memory';
import { creationRun, qrRenderCost, type CreationRun } from './scenarios/throughput';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 10000);
const PUSH_SAMPLES = 200;
const POLLING_BROWSERS = 50;
const LONG_POLL_SAMPLES = 100;
const LOAD_SECONDS = 4;

const log = (text: string) => process.stderr.write(`[bench] ${text}\n`);

interface LatencyRun {
  push1P50: number;
  push1P99: number;
  push1Mean: number;
  push1EventP99: number;
  push2P50: number;
  push2P99: number;
  push2Mean: number;
  push2EventP99: number;
  pollingP50: number;
  pollingP99: number;
  pollingMean: number;
  longPollP50: number;
  longPollP99: number;
  /** polling mean / one-node push mean, in this run */
  pollingOverPush: number;
  qrSvgMs: number;
  qrPngMs: number;
}

async function latencyAndThroughput(): Promise<{ latency: LatencyRun[]; creation: CreationRun[] }> {
  return withCluster(2, async ([a, b]) => {
    const [A, B] = [a!.url, b!.url];
    log('warming up');
    await pushRun(A, A, 50);
    await pushRun(A, B, 50);
    await longPollRun(A, 10);
    const latency: LatencyRun[] = [];
    const creation: CreationRun[] = [];
    for (let run = 1; run <= RUNS; run++) {
      log(`latency run ${run}/${RUNS}`);
      const one = await pushRun(A, A, PUSH_SAMPLES);
      const two = await pushRun(A, B, PUSH_SAMPLES);
      const polling = await pollingRun(A, POLLING_BROWSERS);
      const longPoll = await longPollRun(A, LONG_POLL_SAMPLES);
      const qr = await qrRenderCost(A, 200);
      latency.push({
        push1P50: one.token.p50,
        push1P99: one.token.p99,
        push1Mean: one.token.mean,
        push1EventP99: one.event.p99,
        push2P50: two.token.p50,
        push2P99: two.token.p99,
        push2Mean: two.token.mean,
        push2EventP99: two.event.p99,
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
      creation.push(await creationRun(A, LOAD_SECONDS));
    }
    return { latency, creation };
  });
}

async function memory(): Promise<MemoryRun[]> {
  const runs: MemoryRun[] = [];
  for (let run = 1; run <= RUNS; run++) {
    log(`memory run ${run}/${RUNS}: ${SOCKETS} sockets`);
    runs.push(await withCluster(2, ([waiting, creating]) => memoryRun(waiting!, creating!, SOCKETS), { QR_TTL_SECONDS: '600' }));
  }
  return runs;
}

async function eventLoop(): Promise<EventLoopRun[]> {
  return withCluster(1, async ([node]) => {
    const runs: EventLoopRun[] = [];
    await pushRun(node!.url, node!.url, 50);
    for (let run = 1; run <= RUNS; run++) {
      log(`event-loop run ${run}/${RUNS}`);
      runs.push(await eventLoopRun(node!, 1000, 8));
    }
    return runs;
  });
}

const ms = (v: number) => `${round(v, 2)} ms`;
const perS = (v: number) => `${Math.round(v)}/s`;
const kb = (bytes: number) => `${round(bytes / 1000, 1)} KB`;
const pct = (v: number) => `${round(v * 100, 1)} %`;

function rows(l: LatencyRun, c: CreationRun, m: MemoryRun, e: EventLoopRun): Row[] {
  return [
    { figure: 'confirm → token, push, one node: p50 / p99', value: `${ms(l.push1P50)} / ${ms(l.push1P99)}`, target: 'p99 ≤ 5 ms', met: l.push1P99 <= 5 },
    { figure: 'confirm → token, push, two nodes: p50 / p99', value: `${ms(l.push2P50)} / ${ms(l.push2P99)}`, target: 'p99 ≤ 10 ms', met: l.push2P99 <= 10 },
    { figure: 'confirm → token, 1 s polling: p50 / p99', value: `${ms(l.pollingP50)} / ${ms(l.pollingP99)}` },
    { figure: 'polling mean / push mean (one node)', value: `${round(l.pollingOverPush, 0)}× (${ms(l.pollingMean)} / ${ms(l.push1Mean)})`, target: '≥ 100×', met: l.pollingOverPush >= 100 },
    { figure: 'confirm → token, long poll: p50 / p99', value: `${ms(l.longPollP50)} / ${ms(l.longPollP99)}` },
    { figure: `idle socket RSS (heap), ${m.sockets} on one node`, value: `${kb(m.rssPerSocketBytes)} (${kb(m.heapPerSocketBytes)})`, target: '≤ 20 KB RSS', met: m.rssPerSocketBytes <= 20000 },
    { figure: 'session creation (QR SVG included)', value: perS(c.createPerSecond) },
    { figure: 'Koa hello world, same process', value: `${perS(c.helloPerSecond)} (creation = ${pct(c.ofHello)})` },
    { figure: 'bare QR SVG encoding loop, one thread', value: perS(c.qrCeilingPerSecond) },
    { figure: 'creation / QR-encoding ceiling', value: pct(c.ofQrCeiling), target: '≥ 70 %', met: c.ofQrCeiling >= 0.7 },
    { figure: 'QR render per code: SVG / PNG', value: `${ms(l.qrSvgMs)} / ${ms(l.qrPngMs)}` },
    { figure: 'event-loop delay under mixed load: p50 / p99', value: `${ms(e.delayP50Ms)} / ${ms(e.delayP99Ms)} (max ${ms(e.delayMaxMs)})`, target: 'p99 < 10 ms', met: e.delayP99Ms < 10 },
    { figure: '  meanwhile: creations, confirm → token p99', value: `${perS(e.createPerSecond)}, ${ms(e.confirmToTokenP99Ms)}` },
  ];
}

async function main(): Promise<void> {
  const started = Date.now();
  const host = machine();
  const { latency, creation } = await latencyAndThroughput();
  const memoryRuns = await memory();
  const eventLoopRuns = await eventLoop();
  const medians = { latency: medianOf(latency), creation: medianOf(creation), memory: medianOf(memoryRuns), eventLoop: medianOf(eventLoopRuns) };
  const table = rows(medians.latency, medians.creation, medians.memory, medians.eventLoop);
  process.stdout.write(`\n${printTable(table)}\n\n`);
  const seconds = Math.round((Date.now() - started) / 1000);
  process.stdout.write(`${RUNS} runs, ${seconds} s, on ${host.cpus} × ${host.cpuModel}, Node ${host.node}\n`);
  writeResults(join(ROOT, 'bench', 'results.json'), {
    date: new Date().toISOString(),
    seconds,
    machine: host,
    runs: RUNS,
    table,
    medians,
    perRun: { latency, creation, memory: memoryRuns, eventLoop: eventLoopRuns },
  });
  closeHttpClient();
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
