import jsQR from 'jsqr';

/**
 * Draws a QR SVG the way a browser would, into pixels for jsQR, without
 * trusting the renderer: it reads the `viewBox`, paints the background, then
 * strokes every stroked path 1 unit wide, reading the SVG path grammar
 * (absolute and relative moveto, horizontal and vertical lineto, closepath)
 * as written, whatever run layout produced it.
 */
export interface Raster {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

export function rasterizeQrSvg(svg: string, pixelsPerUnit = 4): Raster {
  const viewBox = /viewBox="0 0 (\d+) (\d+)"/.exec(svg);
  if (!viewBox) throw new Error('the SVG has no viewBox "0 0 w h"');
  const [units, unitsHigh] = [Number(viewBox[1]), Number(viewBox[2])];
  const width = units * pixelsPerUnit;
  const height = unitsHigh * pixelsPerUnit;
  const rgba = new Uint8ClampedArray(width * height * 4).fill(255); // white paper (the SVG's own background path is white too)
  const paintUnit = (x: number, y: number) => {
    for (let py = y * pixelsPerUnit; py < (y + 1) * pixelsPerUnit; py++) {
      for (let px = x * pixelsPerUnit; px < (x + 1) * pixelsPerUnit; px++) {
        const at = (py * width + px) * 4;
        rgba[at] = rgba[at + 1] = rgba[at + 2] = 0;
      }
    }
  };
  const strokes = [...svg.matchAll(/<path\b[^>]*\bstroke="(#000|#000000|black)"[^>]*\bd="([^"]*)"/g)];
  if (strokes.length === 0) throw new Error('the SVG has no black stroked path');
  for (const [, , d] of strokes) strokeHorizontal(d!, paintUnit);
  return { width, height, rgba };
}

/** Walks a path; every horizontal segment on a half-unit line y+0.5 darkens the units of row y it crosses. */
function strokeHorizontal(d: string, paintUnit: (x: number, y: number) => void): void {
  const tokens = d.match(/[MmHhVvLlZz]|-?\d*\.?\d+/g) ?? [];
  let x = 0;
  let y = 0;
  let command = '';
  for (let i = 0; i < tokens.length; ) {
    const from = i;
    if (/[A-Za-z]/.test(tokens[i]!)) command = tokens[i++]!;
    const number = () => Number(tokens[i++]);
    switch (command) {
      case 'M':
        [x, y] = [number(), number()];
        break;
      case 'm':
        [x, y] = [x + number(), y + number()];
        break;
      case 'h':
      case 'H': {
        const to = command === 'h' ? x + number() : number();
        if (!Number.isInteger(y - 0.5)) throw new Error(`a horizontal stroke off a module row's middle: y=${y}`);
        for (let col = Math.min(x, to); col < Math.max(x, to); col++) paintUnit(col, y - 0.5);
        x = to;
        break;
      }
      case 'v':
        y += number();
        break;
      case 'V':
        y = number();
        break;
      case 'z':
      case 'Z':
        if (i === from) throw new Error('a number after closepath');
        break;
      default:
        throw new Error(`path command ${command} is not drawn by this rasterizer`);
    }
  }
}

/** What jsQR reads from a QR SVG, or null. */
export function decodeQrSvg(svg: string): string | null {
  const { width, height, rgba } = rasterizeQrSvg(svg);
  return jsQR(rgba, width, height)?.data ?? null;
}
