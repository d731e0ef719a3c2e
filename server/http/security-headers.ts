import cors from '@koa/cors';
import type { Middleware } from 'koa';

/**
 * Pages may load only this origin's scripts, styles and images and talk to
 * this origin (API and socket.io); no inline script, no plugins, no framing
 * (clickjacking a Confirm button), no base-tag or form tricks. Images may also
 * come from `imageOrigins`: the server's own PUBLIC_URL origin, whose address
 * can differ from the one the browser used (127.0.0.1 vs localhost): the
 * demo's avatars are URLs on PUBLIC_URL, made by the phone page.
 */
export function pageCsp(imageOrigins: string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    ["img-src 'self' data:", ...imageOrigins].join(' '),
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** API answers and images are never rendered as documents; an SVG opened directly runs nothing. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** Headers every response gets: the CSP fitting its content type, nosniff, no framing, no referrer. */
export function securityHeaders(options: { imageOrigins?: string[] } = {}): Middleware {
  const page = pageCsp(options.imageOrigins);
  return async (ctx, next) => {
    try {
      await next();
    } finally {
      ctx.set('X-Content-Type-Options', 'nosniff');
      ctx.set('X-Frame-Options', 'DENY');
      // The phone page's URL carries the QR code: never send it to another site.
      ctx.set('Referrer-Policy', 'no-referrer');
      ctx.set('Content-Security-Policy', ctx.response.is('html') ? page : API_CSP);
    }
  };
}

/**
 * CORS for the sites in CORS_ORIGINS (a page on another origin embedding the
 * login); other origins get no CORS headers, so browsers refuse them. No
 * cookies are involved: the browser proves itself with X-Login-Secret.
 */
export function corsAllowList(origins: string[]): Middleware {
  const allowed = new Set(origins);
  return cors({
    origin: (ctx) => {
      const origin = ctx.get('origin');
      return allowed.has(origin) ? origin : '';
    },
    allowMethods: ['GET', 'POST', 'DELETE'],
    allowHeaders: ['Content-Type', 'X-Login-Secret', 'Authorization'],
    exposeHeaders: ['Retry-After'],
    maxAge: 600,
  });
}
