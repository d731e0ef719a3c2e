/**
 * Session creation against its two ceilings, in the same run: a Koa
 * hello-world route in the same node process (what HTTP alone allows), and
 * a bare loop of QR encoding in one thread (the irreducible work of a
 * creation). Plus what one QR costs to render, as SVG and as PNG.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { renderQrPngInThread as renderQrPng, renderQrSvgInThread as renderQrSvg } from '../../server/qr';
import { load } from '../lib/load';

/** A QR content of the real shape and length (fresh each time, as every session's is). */
const content = (base: string) => `${base}/m/login?id=${randomUUID()}&code=${randomBytes(16).toString('base64url')}`;

/** Codes per second one thread encodes to SVG, back to back, for `ms`. */
export async function qrCeiling(base: string, ms: number): Promise<number> {
  const end = performance.now() + ms;
  let count = 0;
  const start = performance.now();
  while (performance.now() < end) {
    await renderQrSvg(content(base));
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
  return { svgMs: await time(renderQrSvg), pngMs: await time(renderQrPng) };
}

export interface CreationRun {
  createPerSecond: number;
  helloPerSecond: number;
  qrCeilingPerSecond: number;
  /** creations / QR ceiling */
  ofQrCeiling: number;
  /** creations / hello world */
  ofHello: number;
}

export async function creationRun(base: string, seconds: number): Promise<CreationRun> {
  const qrCeilingPerSecond = await qrCeiling(base, seconds * 1000);
  const hello = await load(base, 'GET', '/bench/hello', seconds);
  const create = await load(base, 'POST', '/api/login-sessions', seconds);
  if (create.failures > 0 || hello.failures > 0) {
    throw new Error(`load run had failures: create ${create.failures}, hello ${hello.failures}`);
  }
  return {
    createPerSecond: create.perSecond,
    helloPerSecond: hello.perSecond,
    qrCeilingPerSecond,
    ofQrCeiling: create.perSecond / qrCeilingPerSecond,
    ofHello: create.perSecond / hello.perSecond,
  };
}
