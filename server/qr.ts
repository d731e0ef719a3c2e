import { Worker } from 'node:worker_threads';
import QRCode, { type QRCodeSegment } from 'qrcode';

// Medium error correction and a quiet zone of 2 modules: scannable from a screen, small SVG.
const OPTIONS = { errorCorrectionLevel: 'M', margin: 2 } as const;
const PNG_WIDTH = 320;

/**
 * QR images are rendered on a worker thread: encoding a code (mask
 * selection above all) is the largest CPU cost of a login, ~0.5 ms for an
 * SVG and ~3 ms for a PNG, and on the main thread it would hold up every
 * socket and request of the node meanwhile (see docs/BENCHMARKS.md).
 *
 * The whole content is one byte-mode segment: a URL is bytes anyway, and it
 * spares qrcode's search for the optimal mix of modes (a third of its time)
 * for a code of the same version.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const QRCode = require(${JSON.stringify(require.resolve('qrcode'))});
const OPTIONS = ${JSON.stringify(OPTIONS)};
parentPort.on('message', ({ n, type, content }) => {
  const segments = [{ data: content, mode: 'byte' }];
  const done = (err, image) => parentPort.postMessage({ n, error: err ? String(err.message || err) : undefined, image });
  if (type === 'svg') QRCode.toString(segments, { ...OPTIONS, type: 'svg' }, done);
  else QRCode.toBuffer(segments, { ...OPTIONS, type: 'png', width: ${PNG_WIDTH} }, done);
});`;

interface Pending {
  resolve: (image: string | Uint8Array) => void;
  reject: (err: Error) => void;
}

/** One worker per process, started on first use; it keeps the process alive only while it renders. */
class QrWorker {
  private worker?: Worker;
  private readonly pending = new Map<number, Pending>();
  private next = 0;

  render(type: 'svg' | 'png', content: string): Promise<string | Uint8Array> {
    const worker = this.worker ?? this.start();
    const n = this.next++;
    if (this.pending.size === 0) worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(n, { resolve, reject });
      worker.postMessage({ n, type, content });
    });
  }

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.on('message', ({ n, error, image }: { n: number; error?: string; image: string | Uint8Array }) => {
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

const qrWorker = new QrWorker();

export async function renderQrSvg(content: string): Promise<string> {
  return (await qrWorker.render('svg', content)) as string;
}

export async function renderQrPng(content: string): Promise<Buffer> {
  const png = (await qrWorker.render('png', content)) as Uint8Array;
  return Buffer.from(png.buffer, png.byteOffset, png.byteLength);
}

/** One byte-mode segment (qrcode accepts a string there; its types want bytes, which is the same for UTF-8). */
const segments = (content: string): QRCodeSegment[] => [{ data: Buffer.from(content, 'utf8'), mode: 'byte' }];

/** The same images rendered on the calling thread (the benchmarks' bare encoding cost). */
export const renderQrSvgInThread = (content: string): Promise<string> => QRCode.toString(segments(content), { ...OPTIONS, type: 'svg' });

export const renderQrPngInThread = (content: string): Promise<Buffer> =>
  QRCode.toBuffer(segments(content), { ...OPTIONS, type: 'png', width: PNG_WIDTH });
