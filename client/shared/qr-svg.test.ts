/**
 * The QR writer as the browser SDK gets it: bundled by esbuild for the
 * browser (so `qrcode` is its browser build) and run in a context that has
 * nothing but the language and TextEncoder/TextDecoder (no Buffer, require,
 * process or DOM). It must draw, byte for byte, the SVG the server draws.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import type { QRCodeMaskPattern } from 'qrcode';
import { decodeQrSvg } from '../../test/support/svg-raster';
import { qrSvg as serverQrSvg } from '../../server/qr';

type Writer = { qrSvg(content: string, mask?: QRCodeMaskPattern): string; QR_MASK: QRCodeMaskPattern };

let bundle: string;
let browserWriter: Writer;
beforeAll(async () => {
  const built = await build({
    entryPoints: [`${__dirname}/qr-svg.ts`],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'qrWriter',
    target: ['es2020'],
    write: false,
    logLevel: 'silent',
  });
  bundle = built.outputFiles[0]!.text;
  browserWriter = runInNewContext(`${bundle};qrWriter`, { TextEncoder, TextDecoder }) as Writer;
});

const MASKS = [0, 1, 2, 3, 4, 5, 6, 7] as QRCodeMaskPattern[];
const loginUrl = (originLength = 22) =>
  `${'https://login.example'.padEnd(originLength, 'x')}/m/login?id=${randomUUID()}&code=${randomBytes(16).toString('base64url')}`;

describe('the shared QR writer in a browser build', () => {
  test('bundles qrcode\'s browser build, not its Node one', () => {
    expect(bundle).toContain('node_modules/qrcode/lib/browser.js');
    expect(bundle).not.toContain('node_modules/qrcode/lib/server.js');
  });

  test.each(MASKS)('mask %i: the same SVG as the server\'s, and it decodes to the content', (mask) => {
    for (const originLength of [10, 22, 60, 150]) {
      const content = loginUrl(originLength);
      const svg = browserWriter.qrSvg(content, mask);
      expect(svg).toBe(serverQrSvg(content, mask));
      expect(decodeQrSvg(svg)).toBe(content);
    }
  });

  test('the default mask is the server\'s, and non-ASCII content is encoded as UTF-8 bytes on both sides', () => {
    const content = `${loginUrl()}&name=Zoë-日本`;
    expect(browserWriter.QR_MASK).toBe(2);
    expect(browserWriter.qrSvg(content)).toBe(serverQrSvg(content));
    expect(decodeQrSvg(browserWriter.qrSvg(content))).toBe(content);
  });
});
