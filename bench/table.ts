/** The printed table: each figure with its target from issue 6, met or missed. */
import type { Row } from './lib/report';
import { round } from './lib/stats';
import type { EventLoopRun } from './scenarios/event-loop';
import type { FanoutRun } from './scenarios/fanout';
import type { MemoryRun } from './scenarios/memory';
import type { CreationRun } from './scenarios/throughput';

export interface LatencyRun {
  push1P50: number;
  push1P99: number;
  push1Mean: number;
  /** Confirm sent → `confirmed` event received (the push alone, before the redeem). */
  push1EventP50: number;
  push1EventP99: number;
  push2P50: number;
  push2P99: number;
  push2Mean: number;
  push2EventP50: number;
  push2EventP99: number;
  /** One keep-alive HTTP round trip to the hello-world route: the machine's floor. */
  roundTripP50: number;
  roundTripP99: number;
  /** The same exchanges as confirm → token on one node with no login work in them: the floor under push1. */
  skeletonP50: number;
  skeletonP99: number;
  /** one-node push p99 / skeleton p99, in this run */
  push1OverSkeletonP99: number;
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

const ms = (v: number) => `${round(v, 2)} ms`;
const perS = (v: number) => `${Math.round(v)}/s`;
const kb = (bytes: number) => `${round(bytes / 1000, 1)} KB`;
const pct = (v: number) => `${round(v * 100, 1)} %`;

export interface Medians {
  latency?: LatencyRun;
  creation?: CreationRun;
  memory?: MemoryRun;
  eventLoop?: EventLoopRun;
  fanout?: FanoutRun;
}

export function rows({ latency: l, creation: c, memory: m, eventLoop: e, fanout: f }: Medians): Row[] {
  return [
    ...(l ? latencyRows(l) : []),
    ...(m ? memoryRows(m) : []),
    ...(c && l ? creationRows(c, l) : []),
    ...(e ? eventLoopRows(e) : []),
    ...(f ? fanoutRows(f) : []),
  ];
}

const latencyRows = (l: LatencyRun): Row[] => [
  { figure: 'confirm → token, push, one node: p50 / p99', value: `${ms(l.push1P50)} / ${ms(l.push1P99)}`, target: 'p99 ≤ 5 ms', met: l.push1P99 <= 5 },
  { figure: 'confirm → token, push, two nodes: p50 / p99', value: `${ms(l.push2P50)} / ${ms(l.push2P99)}`, target: 'p99 ≤ 10 ms', met: l.push2P99 <= 10 },
  { figure: '  of which confirm → event: one node / two nodes, p50', value: `${ms(l.push1EventP50)} / ${ms(l.push2EventP50)}` },
  { figure: '  for scale: one HTTP round trip (hello): p50 / p99', value: `${ms(l.roundTripP50)} / ${ms(l.roundTripP99)}` },
  {
    figure: '  for scale: the same exchanges, no login work: p50 / p99',
    value: `${ms(l.skeletonP50)} / ${ms(l.skeletonP99)} (push p99 = ${round(l.push1OverSkeletonP99, 2)}× this)`,
  },
  { figure: 'confirm → token, 1 s polling: p50 / p99', value: `${ms(l.pollingP50)} / ${ms(l.pollingP99)}` },
  {
    figure: 'polling mean / push mean (one node)',
    value: `${round(l.pollingOverPush, 0)}× (${ms(l.pollingMean)} / ${ms(l.push1Mean)})`,
    target: '≥ 100×',
    met: l.pollingOverPush >= 100,
  },
  { figure: 'confirm → token, long poll: p50 / p99', value: `${ms(l.longPollP50)} / ${ms(l.longPollP99)}` },
];

const memoryRows = (m: MemoryRun): Row[] => [
  {
    figure: `idle socket RSS (heap), ${m.sockets} on one node`,
    value: `${kb(m.rssPerSocketBytes)} (${kb(m.heapPerSocketBytes)})`,
    target: '≤ 20 KB RSS',
    met: m.rssPerSocketBytes <= 20000,
  },
  {
    figure: '  waiting browsers per GB of node RSS',
    value:
      `${Math.round(1e9 / m.rssPerSocketBytes).toLocaleString('en-US')} (${m.sockets} sockets from ${m.clientProcesses} client processes` +
      `${m.sockets < m.asked ? `; ${m.asked} asked, capped by the descriptor limit of ${m.descriptorLimit}` : ''})`,
  },
];

const creationRows = (c: CreationRun, l: LatencyRun): Row[] => [
  { figure: `GET /healthz, same node, rotating 1 s slices, ${c.connections} connections`, value: perS(c.healthzPerSecond) },
  {
    figure: 'session creation as the browser SDK asks ({"svg": false})',
    value: `${perS(c.createPerSecond)} (node busy ${pct(c.nodeBusyCreating)} of a core meanwhile)`,
  },
  {
    figure: 'creation (SDK) / healthz, side by side',
    value: `${pct(c.ofHealthz)} (rounds of slices: ${pct(c.ofHealthzLowestPair)} to ${pct(c.ofHealthzHighestPair)})`,
    target: '≥ 50 %',
    met: c.ofHealthz >= 0.5,
  },
  {
    figure: `  the same with ${c.fewConnections} connections (earlier recordings)`,
    value: `${pct(c.ofHealthzFewConnections)} (node busy ${pct(c.nodeBusyCreatingFewConnections)} of a core creating: waiting on Redis)`,
  },
  { figure: 'session creation with the QR SVG in the answer', value: `${perS(c.createSvgPerSecond)} (${pct(c.svgOfHealthz)} of healthz)` },
  {
    figure: 'node CPU per request: creation (SDK / SVG) / healthz',
    value:
      `${ms(c.nodeCpuMsPerCreation)} / ${ms(c.nodeCpuMsPerSvgCreation)} / ${ms(c.nodeCpuMsPerHealthz)}` +
      ` (${round(c.nodeCpuMsPerCreation / c.nodeCpuMsPerHealthz, 1)}× / ${round(c.nodeCpuMsPerSvgCreation / c.nodeCpuMsPerHealthz, 1)}×)`,
  },
  { figure: 'Redis CPU per creation', value: ms(c.redisCpuMsPerCreation) },
  { figure: 'bare QR SVG encoding loop, one thread', value: perS(c.qrCeilingPerSecond) },
  { figure: 'QR render per code: SVG / PNG', value: `${ms(l.qrSvgMs)} / ${ms(l.qrPngMs)}` },
];

const eventLoopRows = (e: EventLoopRun): Row[] => [
  {
    figure: 'event-loop delay under mixed load: p50 / p99',
    value: `${ms(e.delayP50Ms)} / ${ms(e.delayP99Ms)} (max ${ms(e.delayMaxMs)})`,
    target: 'p99 < 10 ms',
    met: e.delayP99Ms < 10,
  },
  { figure: '  meanwhile: creations/s, confirm → token p99', value: `${perS(e.createPerSecond)}, ${ms(e.confirmToTokenP99Ms)}` },
];

const us = (v: number) => `${round(v, 0)} µs`;

const fanoutRows = (f: FanoutRun): Row[] => [
  {
    figure: 'fan-out: idle node CPU per foreign login / serving node',
    value: `${pct(f.idleOverServing)} (${ms(f.idleCpuMsPerLogin)} / ${ms(f.servingCpuMsPerLogin)})`,
    target: '≤ 2 %',
    met: f.idleOverServing <= 0.02,
  },
  {
    figure: 'fan-out: Redis CPU per login, 7 idle nodes / 1',
    value: `${round(f.redis7Over1, 2)}× (${us(f.redisCpuUsPerLogin7)} / ${us(f.redisCpuUsPerLogin1)})`,
    target: '≤ 1.15×',
    met: f.redis7Over1 <= 1.15,
  },
  { figure: '  pub/sub messages per foreign login, at an idle node', value: String(round(f.idleMessagesPerLogin, 3)) },
];
