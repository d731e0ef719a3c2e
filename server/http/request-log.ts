import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { redactUrl } from '../log';

/** A caller's X-Request-Id is kept only if it is short and plain (it is echoed and logged). */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Requests that come by the thousand and say nothing about logins: health
 * checks, scrapes, the demo's static files. Logged at debug unless they fail.
 */
const ROUTINE = /^\/(healthz|readyz|metrics|favicon\.ico|assets\/.*)$/;

/**
 * One JSON line per request (routine ones at debug): method, URL (secret query values redacted),
 * status, duration and request id. The id comes from `X-Request-Id` when the
 * caller (or a proxy) sent a usable one, else a new UUID; it is returned in
 * `X-Request-Id` and left in `ctx.state.requestId` for other log lines.
 */
export function requestLog(logger: Logger): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    const given = ctx.get('x-request-id');
    const requestId = REQUEST_ID.test(given) ? given : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      const level = ROUTINE.test(ctx.path) && ctx.status < 500 ? 'debug' : 'info';
      logger[level](
        {
          reqId: requestId,
          method: ctx.method,
          url: redactUrl(ctx.originalUrl),
          status: ctx.status,
          durationMs: Math.round((performance.now() - started) * 1000) / 1000,
          ip: ctx.ip,
        },
        'request',
      );
    }
  };
}
