import { create, type QRCodeMaskPattern, type QRCodeSegment } from 'qrcode';

/**
 * The login QR as SVG, one writer for the server (`qr.svg`, `GET …/qr.svg`)
 * and the browser SDK (which draws it from `qr.content` when the create
 * asked for `svg: false`). Medium error correction and a quiet zone of 2
 * modules: scannable from a screen, small SVG. Uses no Node or DOM API, so
 * both sides bundle it; `qrcode` maps itself to its browser build there.
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
export const QR_ERROR_CORRECTION = 'M';
export const QR_MARGIN = 2;

/** The module matrix: `dark[row * size + col]` is 1 for a dark module. */
export interface QrModules {
  size: number;
  dark: Uint8Array;
}

/** The path is ASCII, which UTF-8 (every TextDecoder's default) reads as is. */
const ascii = new TextDecoder();

/**
 * The content as one byte segment. Its data is the string itself: qrcode
 * encodes a string as UTF-8 (TextEncoder, in Node and in browsers), though its
 * types only list bytes. Handing it bytes made here cost ~12 % more per SVG
 * on the server: a fresh ArrayBuffer each, which qrcode copies anyway.
 */
const byteSegment = (content: string): QRCodeSegment[] => [{ data: content, mode: 'byte' } as unknown as QRCodeSegment];

export function qrModules(content: string, mask: QRCodeMaskPattern = QR_MASK): QrModules {
  const { modules } = create(byteSegment(content), { errorCorrectionLevel: QR_ERROR_CORRECTION, maskPattern: mask });
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
export function qrPath({ size, dark }: QrModules, margin = QR_MARGIN): string {
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
  return ascii.decode(out.subarray(0, n));
}

/** One buffer for every path (they are built synchronously, one at a time), grown when a larger code needs it. */
let scratchBytes = new Uint8Array(0);
function scratch(bytes: number): Uint8Array {
  if (scratchBytes.length < bytes) scratchBytes = new Uint8Array(bytes);
  return scratchBytes;
}

/** Writes `value` (0-999) in decimal at `at`; returns the next offset. */
function writeNumber(out: Uint8Array, at: number, value: number): number {
  if (value >= 100) out[at++] = 0x30 + Math.floor(value / 100);
  if (value >= 10) out[at++] = 0x30 + (Math.floor(value / 10) % 10);
  out[at++] = 0x30 + (value % 10);
  return at;
}

/** The QR of `content` as a standalone SVG (what `qr.svg` holds): ~0.05 ms. */
export function qrSvg(content: string, mask: QRCodeMaskPattern = QR_MASK): string {
  const modules = qrModules(content, mask);
  const side = modules.size + 2 * QR_MARGIN;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${side} ${side}" shape-rendering="crispEdges">` +
    `<path fill="#fff" d="M0 0h${side}v${side}H0z"/><path stroke="#000" d="${qrPath(modules)}"/></svg>`
  );
}
