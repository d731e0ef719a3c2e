import type { Middleware } from 'koa';

/**
 * Runs `middleware` only for requests under `basePath` (e.g. `/auth`), with
 * `ctx.path` seen relative to it; every other request goes straight on to the
 * host app, untouched (qrlogin's 404/405 JSON never answers for the host's
 * paths). With an empty base path every request is qrlogin's.
 */
export function underBasePath(basePath: string, middleware: Middleware): Middleware {
  if (!basePath) return middleware;
  return async (ctx, next) => {
    const original = ctx.path;
    if (!isUnderBasePath(basePath, original)) return next();
    ctx.path = original.slice(basePath.length) || '/';
    try {
      await middleware(ctx, async () => {
        // The host's own middleware further down sees the full path again.
        ctx.path = original;
        try {
          await next();
        } finally {
          ctx.path = original.slice(basePath.length) || '/';
        }
      });
    } finally {
      ctx.path = original;
    }
  };
}

/** Whether `path` (query included or not) is qrlogin's: under `basePath`, or anything when there is none. */
export function isUnderBasePath(basePath: string, path: string): boolean {
  if (!basePath) return true;
  const pathname = path.split('?')[0] as string;
  return pathname === basePath || pathname.startsWith(`${basePath}/`);
}

/**
 * A demo page served under a base path: root-relative `src`/`href` links get
 * the prefix, and `<meta name="qrlogin-base-path">` tells the page's scripts
 * where the API and the socket.io path are (`${base}/api/...`, `${base}/socket.io`).
 */
export function withBasePath(html: string, basePath: string): string {
  const meta = `<meta name="qrlogin-base-path" content="${basePath}">`;
  const linked = basePath ? html.replace(/\b(src|href|action)="\/(?!\/)/g, `$1="${basePath}/`) : html;
  return /<head[^>]*>/i.test(linked) ? linked.replace(/<head[^>]*>/i, (head) => `${head}\n    ${meta}`) : `${meta}\n${linked}`;
}
