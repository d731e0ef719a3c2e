/**
 * Session creation against the node's cheapest request, side by side:
 * `POST /api/login-sessions` as the browser SDK asks for it (`{"svg": false}`:
 * the browser draws the QR from `qr.content`), the same with the QR SVG in the
 * answer, and `GET /healthz`, on the same node, in alternating one-second
 * slices, so that whatever else the machine runs meanwhile weighs on all
 * alike. Plus what one QR costs to render on one thread, as SVG and as PNG.
 *
 * Each kind is driven by CONNECTIONS keep-alive connections: enough to keep
 * the node busy with either. A creation waits on a Redis round trip, so with
 * few connections the node idles while every connection waits on Redis and
 * the figure is the round trip's, not the node's capacity: with 16 the node
 * was 80-88 % busy during creation slices against 98 % during healthz ones
 * (healthz's rate does not change from 8 to 64 connections). The rate at 16
 * connections is kept as a row, for comparison with earlier recordings.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { qrPngInThread, qrSvg } from '../../server/qr';
import { cpuMs } from '../lib/cpu';
import { load } from '../lib/load';

/** A QR content of the real shape and length (fresh each time, as every session's is). */
const content = (base: string) => `${base}/m/login?id=${randomUUID()}&code=${randomBytes(16).toString('base64url')}`;

/** Codes per second one thread encodes to SVG, back to back, for `ms`. */
export function qrCeiling(base: string, ms: number): number {
  const start = performance.now();
  const end = start + ms;
  let count = 0;
  while (performance.now() < end) {
    qrSvg(content(base));
    count++;
  }
  return count / ((performance.now() - start) / 1000);
}

/** Milliseconds per code on this thread, SVG and PNG (the same contents for both). */
export async function qrRenderCost(base: string, codes: number): Promise<{ svgMs: number; pngMs: number }> {
  const contents = Array.from({ length: codes }, () => content(base));
  const time = async (render: (c: string) => unknown) => {
    const start = performance.now();
    for (const c of contents) await render(c);
    return (performance.now() - start) / codes;
  };
  return { svgMs: await time(qrSvg), pngMs: await time(qrPngInThread) };
}

/** Connections per slice (see above). */
export const CONNECTIONS = 64;
/** The earlier recordings' setup, still measured. */
const FEW_CONNECTIONS = 16;

export interface CreationRun {
  connections: number;
  healthzPerSecond: number;
  /** Creation as the browser SDK asks for it ({"svg": false}: the browser draws the QR from qr.content). */
  createPerSecond: number;
  /** Creation with the QR SVG in the answer (no body: PROTOCOL.md's default). */
  createSvgPerSecond: number;
  /** SDK creations / healthz, slice totals of this run (the target: ≥ 0.5) */
  ofHealthz: number;
  /** The lowest and highest SDK creations / healthz of one round of slices in this run: how much the machine moved. */
  ofHealthzLowestPair: number;
  ofHealthzHighestPair: number;
  /** Creations with the SVG / healthz, slice totals of this run. */
  svgOfHealthz: number;
  qrCeilingPerSecond: number;
  /** CPU of the node process per request (all its threads), and of Redis per creation (SDK creations). */
  nodeCpuMsPerCreation: number;
  nodeCpuMsPerSvgCreation: number;
  nodeCpuMsPerHealthz: number;
  redisCpuMsPerCreation: number;
  /** Share of one core the node used (all its threads) during the SDK creation slices: how busy it was kept. */
  nodeBusyCreating: number;
  /** The same SDK creation / healthz with FEW_CONNECTIONS, and the node's busy share creating then. */
  fewConnections: number;
  ofHealthzFewConnections: number;
  nodeBusyCreatingFewConnections: number;
}

type Kind = 'healthz' | 'create' | 'createSvg' | 'healthzFew' | 'createFew';
const KINDS: Kind[] = ['healthz', 'create', 'createSvg', 'healthzFew', 'createFew'];
const REQUESTS: Record<Kind, [method: string, path: string, connections: number, body?: object]> = {
  healthz: ['GET', '/healthz', CONNECTIONS],
  create: ['POST', '/api/login-sessions', CONNECTIONS, { svg: false }],
  createSvg: ['POST', '/api/login-sessions', CONNECTIONS],
  healthzFew: ['GET', '/healthz', FEW_CONNECTIONS],
  createFew: ['POST', '/api/login-sessions', FEW_CONNECTIONS, { svg: false }],
};

/**
 * `seconds` rounds of one-second slices: healthz, creation as the SDK asks
 * and creation with the SVG, each with CONNECTIONS keep-alive connections, then
 * healthz and SDK creation with FEW_CONNECTIONS; the order rotated every round
 * (none always follows another); each round a ratio.
 */
export async function creationRun(base: string, seconds: number, pids: { node: number; redis: number }): Promise<CreationRun> {
  const qrCeilingPerSecond = qrCeiling(base, 500);
  const rate = { healthz: 0, create: 0, createSvg: 0, healthzFew: 0, createFew: 0 };
  const nodeCpu = { healthz: 0, create: 0, createSvg: 0, healthzFew: 0, createFew: 0 };
  const sliceMs = { create: 0, createFew: 0 };
  let redisCpuCreate = 0;
  const roundRatios: number[] = [];
  const rounds = Math.max(1, seconds);
  for (let round = 0; round < rounds; round++) {
    const perSecond = { healthz: 0, create: 0, createSvg: 0, healthzFew: 0, createFew: 0 };
    for (let i = 0; i < KINDS.length; i++) {
      const kind = KINDS[(round + i) % KINDS.length]!;
      const [method, path, connections, body] = REQUESTS[kind];
      const node = cpuMs(pids.node);
      const redis = cpuMs(pids.redis);
      const started = performance.now();
      const result = await load(base, method, path, 1, connections, body);
      if (kind === 'create' || kind === 'createFew') sliceMs[kind] += performance.now() - started;
      nodeCpu[kind] += cpuMs(pids.node) - node;
      if (kind === 'create') redisCpuCreate += cpuMs(pids.redis) - redis;
      if (result.failures > 0) throw new Error(`load run had failures: ${kind} ${result.failures}`);
      perSecond[kind] = result.perSecond;
      rate[kind] += result.perSecond;
    }
    roundRatios.push(perSecond.create / perSecond.healthz);
  }
  return {
    connections: CONNECTIONS,
    healthzPerSecond: rate.healthz / rounds,
    createPerSecond: rate.create / rounds,
    createSvgPerSecond: rate.createSvg / rounds,
    ofHealthz: rate.create / rate.healthz,
    ofHealthzLowestPair: Math.min(...roundRatios),
    ofHealthzHighestPair: Math.max(...roundRatios),
    svgOfHealthz: rate.createSvg / rate.healthz,
    qrCeilingPerSecond,
    nodeCpuMsPerCreation: nodeCpu.create / rate.create,
    nodeCpuMsPerSvgCreation: nodeCpu.createSvg / rate.createSvg,
    nodeCpuMsPerHealthz: nodeCpu.healthz / rate.healthz,
    redisCpuMsPerCreation: redisCpuCreate / rate.create,
    nodeBusyCreating: nodeCpu.create / sliceMs.create,
    fewConnections: FEW_CONNECTIONS,
    ofHealthzFewConnections: rate.createFew / rate.healthzFew,
    nodeBusyCreatingFewConnections: nodeCpu.createFew / sliceMs.createFew,
  };
}
