import type { QrCode } from './login';

/**
 * Shows the QR's SVG (the server's, or drawn by the SDK) inside `container` as an accessible image.
 * The markup is parsed as SVG (never assigned to innerHTML), so it needs no
 * inline script or style and works under a strict Content-Security-Policy.
 */
export function renderQr(container: Element, qr: QrCode, label = 'QR code to log in: scan it with your phone app'): SVGSVGElement {
  const parsed = new DOMParser().parseFromString(qr.svg, 'image/svg+xml');
  const svg = parsed.documentElement;
  if (svg.nodeName.toLowerCase() !== 'svg') throw new Error('The QR code is not an SVG image');
  for (const script of Array.from(svg.getElementsByTagName('script'))) script.remove();
  const node = container.ownerDocument.importNode(svg, true) as unknown as SVGSVGElement;
  node.setAttribute('role', 'img');
  node.setAttribute('aria-label', label);
  node.dataset.qrContent = qr.content;
  container.replaceChildren(node);
  return node;
}
