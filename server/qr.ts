import { Worker } from 'node:worker_threads';
import QRCode, { type QRCodeMaskPattern, type QRCodeSegment } from 'qrcode';

/**
 * The login QR codes. Medium error correction and a quiet zone of 2 modules:
 * scannable from a screen, small SVG.
 *
 * Always mask 2. `qrcode` spends nine tenths of an encoding choosing a mask
 * (it applies all eight and scores each with the penalty rules): ~0.9 ms per
 * login URL against ~0.04 ms with a fixed mask. Any mask decodes in every
 * reader; the penalty only tunes contrast. Over random login URLs of every
 * length a PUBLIC_URL gives (versions 6 to 11), mask 2 had the lowest
 * penalty for 73–100 % of codes and an average penalty within 1.5 % of the
 * per-code best; every other mask averaged 7–63 % above it
 * (docs/BENCHMARKS.md, "Creation").
 *
 * The whole content is one byte-mode segment: a URL is bytes anyway, and it
 * spares qrcode's search for the optimal mix of modes for a code of the same version.
 */
export const QR_MASK: QRCodeMaskPattern = 2;
const ERROR_CORRECTION = 'M';
const MARGIN = 2;
const PNG_WIDTH = 320;

/** The module matrix: `dark[row * size + col]` is 1 for a dark module. */
export interface QrModules {
  size: number;
  dark: Uint8Array;
}

/** One byte-mode segment (qrcode's types want bytes; a UTF-8 Buffer is exactly the URL's bytes). */
const segments = (content: string): QRCodeSegment[] => [{ data: Buffer.from(content, 'utf8'), mode: 'byte' }];

export function qrModules(content: string, mask: QRCodeMaskPattern = QR_MASK): QrModules {
  const { modules } = QRCode.create(segments(content), { errorCorrectionLevel: ERROR_CORRECTION, maskPattern: mask });
  return { size: modules.size, dark: modules.data };
}

/**
 * The dark modules as one SVG path of horizontal runs, stroked 1 unit wide
 * along each row's middle: `M<x> <y>.5h<run>` starts a row, `m<gap> 0h<run>`
 * each further run in it. About 3 KB for a login URL.
 *
 * Written as ASCII bytes into one buffer: a string per run, joined, took
 * five times as long (and more than half as long as the encoding itself).
 */
export function qrPath({ size, dark }: QrModules, margin = MARGIN): string {
  // The longest a row can get: every other module dark, "m2 0h1" per run.
  const out = scratch(size * (size + 2) * 4 + 64);
  let n = 0;
  for (let row = 0; row < size; row++) {
    const at = row * size;
    let penX = -1; // where the pen is in this row; -1 before its first run
    for (let col = 0; col < size; ) {
      if (!dark[at + col]) {
        col++;
        continue;
      }
      const start = col;
      while (col < size && dark[at + col]) col++;
      if (penX < 0) {
        out[n++] = 0x4d; // M<x> <y>.5
        n = writeNumber(out, n, start + margin);
        out[n++] = 0x20;
        n = writeNumber(out, n, row + margin);
        out[n++] = 0x2e;
        out[n++] = 0x35;
      } else {
        out[n++] = 0x6d; // m<gap> 0
        n = writeNumber(out, n, start - penX);
        out[n++] = 0x20;
        out[n++] = 0x30;
      }
      out[n++] = 0x68; // h<run>
      n = writeNumber(out, n, col - start);
      penX = col;
    }
  }
  return out.toString('latin1', 0, n);
}

/** One buffer for every path (they are built synchronously, one at a time), grown when a larger code needs it. */
let scratchBuffer = Buffer.alloc(0);
function scratch(bytes: number): Buffer {
  if (scratchBuffer.length < bytes) scratchBuffer = Buffer.allocUnsafe(bytes);
  return scratchBuffer;
}

/** Writes `value` (0-999) in decimal at `at`; returns the next offset. */
function writeNumber(out: Buffer, at: number, value: number): number {
  if (value >= 100) out[at++] = 0x30 + Math.floor(value / 100);
  if (value >= 10) out[at++] = 0x30 + (Math.floor(value / 10) % 10);
  out[at++] = 0x30 + (value % 10);
  return at;
}

/** The QR of `content` as a standalone SVG (what `qr.svg` holds), drawn on this thread: ~0.05 ms. */
export function qrSvg(content: string, mask: QRCodeMaskPattern = QR_MASK): string {
  const modules = qrModules(content, mask);
  const side = modules.size + 2 * MARGIN;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${side} ${side}" shape-rendering="crispEdges">` +
    `<path fill="#fff" d="M0 0h${side}v${side}H0z"/><path stroke="#000" d="${qrPath(modules)}"/></svg>`
  );
}

const PNG_OPTIONS = { errorCorrectionLevel: ERROR_CORRECTION, margin: MARGIN, width: PNG_WIDTH, type: 'png' } as const;

/**
 * PNGs are rendered on a worker thread: the PNG encoding (deflate) takes a
 * few milliseconds, which on the main thread would hold up every socket and
 * request of the node meanwhile. Only `GET …/qr.png` asks for one.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const QRCode = require(${JSON.stringify(require.resolve('qrcode'))});
const OPTIONS = ${JSON.stringify(PNG_OPTIONS)};
parentPort.on('message', ({ n, content, mask }) => {
  const done = (err, image) => parentPort.postMessage({ n, error: err ? String(err.message || err) : undefined, image });
  QRCode.toBuffer([{ data: Buffer.from(content, 'utf8'), mode: 'byte' }], { ...OPTIONS, maskPattern: mask }, done);
});`;

interface Pending {
  resolve: (image: Uint8Array) => void;
  reject: (err: Error) => void;
}

/** One worker per process, started on first use; it keeps the process alive only while it renders. */
class PngWorker {
  private worker?: Worker;
  private readonly pending = new Map<number, Pending>();
  private next = 0;

  render(content: string, mask: QRCodeMaskPattern): Promise<Uint8Array> {
    const worker = this.worker ?? this.start();
    const n = this.next++;
    if (this.pending.size === 0) worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(n, { resolve, reject });
      worker.postMessage({ n, content, mask });
    });
  }

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.on('message', ({ n, error, image }: { n: number; error?: string; image: Uint8Array }) => {
      const pending = this.pending.get(n);
      this.pending.delete(n);
      if (this.pending.size === 0) worker.unref();
      if (error) pending?.reject(new Error(`QR rendering failed: ${error}`));
      else pending?.resolve(image);
    });
    // A dead worker fails what it held; the next render starts a new one.
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const pending of this.pending.values()) pending.reject(err);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`QR worker exited with code ${code}`)));
    worker.unref(); // after the listeners (adding one refs the worker); render() refs it while busy
    this.worker = worker;
    return worker;
  }
}

const pngWorker = new PngWorker();

/** The QR of `content` as a 320 px PNG (what `qr.png` holds), rendered on the worker thread. */
export async function qrPng(content: string, mask: QRCodeMaskPattern = QR_MASK): Promise<Buffer> {
  const png = await pngWorker.render(content, mask);
  return Buffer.from(png.buffer, png.byteOffset, png.byteLength);
}

/** The same PNG rendered on the calling thread (the benchmarks' bare encoding cost). */
export const qrPngInThread = (content: string, mask: QRCodeMaskPattern = QR_MASK): Promise<Buffer> =>
  QRCode.toBuffer(segments(content), { ...PNG_OPTIONS, maskPattern: mask });
