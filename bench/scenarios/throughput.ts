/**
 * Session creation against the node's cheapest request, side by side:
 * `POST /api/login-sessions` (QR SVG included) and `GET /healthz` on the same
 * node, in alternating one-second slices, so that whatever else the machine
 * runs meanwhile weighs on both alike. Plus what one QR costs to render on
 * one thread, as SVG and as PNG.
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
  createPerSecond: number;
  healthzPerSecond: number;
  /** creations / healthz, slice totals of this run (the target: ≥ 0.5) */
  ofHealthz: number;
  /** The lowest and highest creations / healthz of one pair of slices in this run: how much the machine moved. */
  ofHealthzLowestPair: number;
  ofHealthzHighestPair: number;
  qrCeilingPerSecond: number;
  /** CPU of the node process per request (all its threads), and of Redis per creation. */
  nodeCpuMsPerCreation: number;
  nodeCpuMsPerHealthz: number;
  redisCpuMsPerCreation: number;
}

/**
 * `seconds` pairs of one-second slices: healthz, then creation, each with
 * the same 16 keep-alive connections' worth of load, each pair a ratio.
 */
export async function creationRun(base: string, seconds: number, pids: { node: number; redis: number }): Promise<CreationRun> {
  const qrCeilingPerSecond = qrCeiling(base, 500);
  const totals = { healthz: 0, create: 0, nodeHealthz: 0, nodeCreate: 0, redisCreate: 0 };
  const pairRatios: number[] = [];
  for (let pair = 0; pair < Math.max(1, seconds); pair++) {
    let cpu = cpuMs(pids.node);
    const healthz = await load(base, 'GET', '/healthz', 1);
    totals.nodeHealthz += cpuMs(pids.node) - cpu;
    cpu = cpuMs(pids.node);
    const redisCpu = cpuMs(pids.redis);
    const create = await load(base, 'POST', '/api/login-sessions', 1);
    totals.nodeCreate += cpuMs(pids.node) - cpu;
    totals.redisCreate += cpuMs(pids.redis) - redisCpu;
    if (create.failures > 0 || healthz.failures > 0) {
      throw new Error(`load run had failures: create ${create.failures}, healthz ${healthz.failures}`);
    }
    totals.healthz += healthz.perSecond;
    totals.create += create.perSecond;
    pairRatios.push(create.perSecond / healthz.perSecond);
  }
  const pairs = pairRatios.length;
  return {
    createPerSecond: totals.create / pairs,
    healthzPerSecond: totals.healthz / pairs,
    ofHealthz: totals.create / totals.healthz,
    ofHealthzLowestPair: Math.min(...pairRatios),
    ofHealthzHighestPair: Math.max(...pairRatios),
    qrCeilingPerSecond,
    nodeCpuMsPerCreation: totals.nodeCreate / totals.create,
    nodeCpuMsPerHealthz: totals.nodeHealthz / totals.healthz,
    redisCpuMsPerCreation: totals.redisCreate / totals.create,
  };
}
