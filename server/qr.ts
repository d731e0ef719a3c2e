import { Worker } from 'node:worker_threads';
import QRCode, { type QRCodeMaskPattern } from 'qrcode';
import { QR_ERROR_CORRECTION, QR_MARGIN, QR_MASK } from '../client/shared/qr-svg';

/**
 * The login QR codes: the SVG from the writer the browser SDK shares
 * (client/shared/qr-svg.ts, which explains the fixed mask), the PNG from
 * qrcode's own renderer with the same settings.
 */
export { QR_MASK, qrModules, qrPath, qrSvg, type QrModules } from '../client/shared/qr-svg';

const PNG_WIDTH = 320;

const PNG_OPTIONS = { errorCorrectionLevel: QR_ERROR_CORRECTION, margin: QR_MARGIN, width: PNG_WIDTH, type: 'png' } as const;

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
  QRCode.toBuffer([{ data: Buffer.from(content, 'utf8'), mode: 'byte' }], { ...PNG_OPTIONS, maskPattern: mask });
