import { randomBytes, randomUUID } from 'node:crypto';
import QRCode, { type QRCodeMaskPattern } from 'qrcode';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { decodeQrSvg, rasterizeQrSvg } from '../test/support/svg-raster';
import { QR_MASK, qrModules, qrPath, qrPng, qrPngInThread, qrSvg } from './qr';

/** What jsQR reads from a PNG (dark on light only: these images are never inverted). */
function decodeQrPng(bytes: Buffer): string | null {
  const png = PNG.sync.read(bytes);
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height, { inversionAttempts: 'dontInvert' })?.data ?? null;
}

const MASKS = [0, 1, 2, 3, 4, 5, 6, 7] as QRCodeMaskPattern[];

/** A login URL of the real shape on an origin of `originLength` characters (PUBLIC_URL + BASE_PATH). */
const loginUrl = (originLength = 22) =>
  `${'https://login.example'.padEnd(originLength, 'x')}/m/login?id=${randomUUID()}&code=${randomBytes(16).toString('base64url')}`;

/** qrcode's own SVG path for the same code: the reference our writer must match. */
async function referencePath(content: string, mask: QRCodeMaskPattern): Promise<string> {
  const svg = await QRCode.toString([{ data: Buffer.from(content), mode: 'byte' }], {
    type: 'svg', errorCorrectionLevel: 'M', margin: 2, maskPattern: mask,
  });
  return /<path stroke="#000000" d="([^"]*)"/.exec(svg)![1]!;
}

describe('the login QR', () => {
  test.each(MASKS)('an SVG with mask %i, drawn to pixels, decodes to its content', (mask) => {
    const content = loginUrl();
    const svg = qrSvg(content, mask);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 (\d+) \1"[^>]*>.*<\/svg>$/);
    expect(decodeQrSvg(svg)).toBe(content);
  });

  // The PNG is qrcode's own renderer: the mask served (the only one used) is enough.
  test('the fixed mask is the one every served image uses: SVG and PNG (worker) decode, and the PNG is the in-thread one', async () => {
    const content = loginUrl();
    expect(decodeQrSvg(qrSvg(content))).toBe(content);
    expect(qrSvg(content)).toBe(qrSvg(content, QR_MASK));
    const png = await qrPng(content);
    expect(decodeQrPng(png)).toBe(content);
    expect(png.equals(await qrPngInThread(content, QR_MASK))).toBe(true);
  });

  test('the path is the one qrcode itself draws for the same modules, with every mask, from version 6 to 27 (sizes with 3-digit coordinates)', async () => {
    for (const originLength of [10, 22, 60, 150, 300, 600]) {
      for (const mask of MASKS) {
        const content = loginUrl(originLength);
        expect(qrPath(qrModules(content, mask))).toBe(await referencePath(content, mask));
      }
    }
    expect(qrModules(loginUrl(600)).size).toBeGreaterThan(100);
  });

  test('a long URL (larger code) still decodes from the SVG', () => {
    const content = loginUrl(300);
    expect(decodeQrSvg(qrSvg(content))).toBe(content);
  });

  test('the rasterizer is strict: a broken path does not decode', () => {
    const content = loginUrl();
    const svg = qrSvg(content);
    // Every gap between runs made one module wide: the same finder rows, garbage elsewhere.
    expect(decodeQrSvg(svg.replace(/m\d+ 0/g, 'm1 0'))).toBeNull();
    expect(() => rasterizeQrSvg(svg.replace('viewBox', 'data-box'))).toThrow(/viewBox/);
  });

  test('many PNG renders in flight each get their own image', async () => {
    const contents = Array.from({ length: 6 }, () => loginUrl());
    const pngs = await Promise.all(contents.map((c) => qrPng(c)));
    expect(pngs.map(decodeQrPng)).toEqual(contents);
  });
});
