import { readFile } from 'node:fs/promises';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';

/** The text a QR code in a PNG image encodes, or null when no QR code is found. */
export function decodeQrPng(png: Buffer): string | null {
  const image = PNG.sync.read(png);
  const pixels = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return jsQR(pixels, image.width, image.height, { inversionAttempts: 'attemptBoth' })?.data ?? null;
}

/** The QR text of a PNG file. */
export async function decodeQrFile(path: string): Promise<string> {
  const content = decodeQrPng(await readFile(path));
  if (content === null) throw new Error(`No QR code found in ${path}`);
  return content;
}
