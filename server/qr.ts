import QRCode from 'qrcode';

// Medium error correction and a quiet zone of 2 modules: scannable from a screen, small SVG.
const OPTIONS = { errorCorrectionLevel: 'M', margin: 2 } as const;

export function renderQrSvg(content: string): Promise<string> {
  return QRCode.toString(content, { ...OPTIONS, type: 'svg' });
}

export function renderQrPng(content: string): Promise<Buffer> {
  return QRCode.toBuffer(content, { ...OPTIONS, type: 'png', width: 320 });
}
