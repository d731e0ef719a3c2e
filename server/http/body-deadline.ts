import type { Middleware } from 'koa';

/**
 * Closes the connection of a request whose body is not in within `ms` of its
 * headers. The node's requestTimeout does the same for `npm start`; this
 * also holds in library mode, where the site's server may keep Node's
 * 300 s default, and whatever route runs (a refused request's unread body is
 * still drained by Node, slowly if the client is slow).
 */
export function bodyDeadline(ms: number): Middleware {
  return async (ctx, next) => {
    const req = ctx.req;
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (!hasBody || req.complete) return next();
    const timer = setTimeout(() => {
      if (!req.complete) req.socket.destroy();
    }, ms);
    timer.unref();
    const stop = () => clearTimeout(timer);
    req.once('end', stop);
    req.once('close', stop);
    return next();
  };
}
