/**
 * Session creation against the node's cheapest request, side by side:
 * `POST /api/login-sessions` as the browser SDK asks for it (`{"svg": false}`:
 * the browser draws the QR from `qr.content`), the same with the QR SVG in the
 * answer, and `GET /healthz`, on the same node, in alternating one-second
 * slices, so that whatever else the machine runs meanwhile weighs on all
 * alike. Plus what one QR costs to render on one thread, as SVG and as PNG.
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

export interface CreationRun {
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
}

type Kind = 'healthz' | 'create' | 'createSvg';
const KINDS: Kind[] = ['healthz', 'create', 'createSvg'];
const REQUESTS: Record<Kind, [method: string, path: string, body?: object]> = {
  healthz: ['GET', '/healthz'],
  create: ['POST', '/api/login-sessions', { svg: false }],
  createSvg: ['POST', '/api/login-sessions'],
};

/**
 * `seconds` rounds of one-second slices: healthz, creation as the SDK asks
 * and creation with the SVG, each with the same 16 keep-alive connections'
 * worth of load, the order rotated every round (none always follows another);
 * each round a ratio.
 */
export async function creationRun(base: string, seconds: number, pids: { node: number; redis: number }): Promise<CreationRun> {
  const qrCeilingPerSecond = qrCeiling(base, 500);
  const rate = { healthz: 0, create: 0, createSvg: 0 };
  const nodeCpu = { healthz: 0, create: 0, createSvg: 0 };
  let redisCpuCreate = 0;
  const roundRatios: number[] = [];
  const rounds = Math.max(1, seconds);
  for (let round = 0; round < rounds; round++) {
    const perSecond = { healthz: 0, create: 0, createSvg: 0 };
    for (let i = 0; i < KINDS.length; i++) {
      const kind = KINDS[(round + i) % KINDS.length]!;
      const [method, path, body] = REQUESTS[kind];
      const node = cpuMs(pids.node);
      const redis = cpuMs(pids.redis);
      const result = await load(base, method, path, 1, 16, body);
      nodeCpu[kind] += cpuMs(pids.node) - node;
      if (kind === 'create') redisCpuCreate += cpuMs(pids.redis) - redis;
      if (result.failures > 0) throw new Error(`load run had failures: ${kind} ${result.failures}`);
      perSecond[kind] = result.perSecond;
      rate[kind] += result.perSecond;
    }
    roundRatios.push(perSecond.create / perSecond.healthz);
  }
  return {
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
  };
}
