import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { renderQrPng, renderQrPngInThread, renderQrSvg, renderQrSvgInThread } from './qr';

const decodePng = (png: Buffer): string | undefined => {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
};

const content = (n: number) => `https://login.example/m/login?id=6f1c0000-0000-4000-8000-${String(n).padStart(12, '0')}&code=Zk-_abcdefghijklmnop${n}`;

describe('QR rendering on the worker thread', () => {
  test('a PNG decodes back to its content, and the SVG is the one the calling thread would draw', async () => {
    expect(decodePng(await renderQrPng(content(1)))).toBe(content(1));
    const svg = await renderQrSvg(content(1));
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toBe(await renderQrSvgInThread(content(1)));
  });

  test('many renders in flight each get their own image', async () => {
    const pngs = await Promise.all(Array.from({ length: 6 }, (_, i) => renderQrPng(content(i))));
    expect(pngs.map(decodePng)).toEqual(Array.from({ length: 6 }, (_, i) => content(i)));
    const svgs = await Promise.all([renderQrSvg(content(7)), renderQrSvg(content(8))]);
    expect(svgs).toEqual([await renderQrSvgInThread(content(7)), await renderQrSvgInThread(content(8))]);
    expect(decodePng(await renderQrPngInThread(content(9)))).toBe(content(9));
  });
});
