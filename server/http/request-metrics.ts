import type { Middleware } from 'koa';
import type { Metrics } from '../metrics';

/**
 * Times every request qrlogin answers into `qrlogin_http_request_duration_seconds`,
 * labelled by the route's pattern (`/api/login-sessions/:id`, never the id
 * itself, so the label set stays small) or `unmatched`.
 */
export function requestMetrics(metrics: Metrics): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      // @koa/router leaves the pattern of the route that answered in ctx._matchedRoute.
      const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
      const route = typeof matched === 'string' ? matched : 'unmatched';
      metrics.httpDuration.observe({ method: ctx.method, route, status: String(ctx.status) }, (performance.now() - started) / 1000);
    }
  };
}
