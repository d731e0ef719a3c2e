/**
 * Session creation against its two ceilings, in the same run: a Koa
 * hello-world route in the same node process (what HTTP alone allows), and
 * a bare loop of QR encoding in one thread (the irreducible work of a
 * creation). Plus what one QR costs to render, as SVG and as PNG.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { qrPngInThread, qrSvg } from '../../server/qr';
import { cpuMs } from '../lib/cpu';
import { load } from '../lib/load';

/** A QR content of the real shape and length (fresh each time, as every session's is). */
const content = (base: string) => `${base}/m/login?id=${randomUUID()}&code=${randomBytes(16).toString('base64url')}`;

/** Codes per second one thread encodes to SVG, back to back, for `ms`. */
export async function qrCeiling(base: string, ms: number): Promise<number> {
  const end = performance.now() + ms;
  let count = 0;
  const start = performance.now();
  while (performance.now() < end) {
    qrSvg(content(base));
    count++;
  }
  return count / ((performance.now() - start) / 1000);
}

/** Milliseconds of CPU per code, SVG and PNG (the same contents for both). */
export async function qrRenderCost(base: string, codes: number): Promise<{ svgMs: number; pngMs: number }> {
  const contents = Array.from({ length: codes }, () => content(base));
  const time = async (render: (c: string) => Promise<unknown>) => {
    const start = performance.now();
    for (const c of contents) await render(c);
    return (performance.now() - start) / codes;
  };
  return { svgMs: await time(async (c) => qrSvg(c)), pngMs: await time(qrPngInThread) };
}

export interface CreationRun {
  createPerSecond: number;
  helloPerSecond: number;
  qrCeilingPerSecond: number;
  /** creations / QR ceiling */
  ofQrCeiling: number;
  /** creations / hello world */
  ofHello: number;
  /** CPU of the node process (event loop and QR worker) per creation. */
  nodeCpuMsPerCreation: number;
  redisCpuMsPerCreation: number;
}

/**
 * The ceiling is measured in two halves, before and after the load, and
 * averaged, so that a change in what else the machine runs meanwhile weighs
 * on the ceiling and on the creations alike.
 */
export async function creationRun(base: string, seconds: number, pids: { node: number; redis: number }): Promise<CreationRun> {
  const ceilingBefore = await qrCeiling(base, seconds * 500);
  const hello = await load(base, 'GET', '/bench/hello', seconds);
  const cpuBefore = { node: cpuMs(pids.node), redis: cpuMs(pids.redis) };
  const create = await load(base, 'POST', '/api/login-sessions', seconds);
  const created = create.perSecond * seconds;
  const nodeCpuMsPerCreation = (cpuMs(pids.node) - cpuBefore.node) / created;
  const redisCpuMsPerCreation = (cpuMs(pids.redis) - cpuBefore.redis) / created;
  const qrCeilingPerSecond = (ceilingBefore + (await qrCeiling(base, seconds * 500))) / 2;
  if (create.failures > 0 || hello.failures > 0) {
    throw new Error(`load run had failures: create ${create.failures}, hello ${hello.failures}`);
  }
  return {
    createPerSecond: create.perSecond,
    helloPerSecond: hello.perSecond,
    qrCeilingPerSecond,
    ofQrCeiling: create.perSecond / qrCeilingPerSecond,
    ofHello: create.perSecond / hello.perSecond,
    nodeCpuMsPerCreation,
    redisCpuMsPerCreation,
  };
}
