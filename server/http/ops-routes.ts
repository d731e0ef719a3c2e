import Router from '@koa/router';
import { safeEqual } from '../session/secrets';
import type { Metrics } from '../metrics';
import type { Store } from '../session/store';

/**
 * Health, readiness and Prometheus metrics (PROTOCOL.md "Operations").
 * `/metrics` tells an outsider how busy the service is and how it fails, so on
 * the app port it is served only with `Authorization: Bearer <metricsToken>`;
 * without a token configured it is not there (METRICS_PORT serves it).
 */
export function opsRoutes({ store, metrics, metricsToken }: { store: Store; metrics: Metrics; metricsToken?: string }): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    try {
      await store.ping();
      ctx.body = { status: 'ready' };
    } catch {
      ctx.status = 503;
      ctx.body = { error: 'unavailable', message: 'The session store cannot be reached' };
    }
  });
  if (metricsToken !== undefined) {
    router.get('/metrics', async (ctx, next) => {
      // A wrong or missing token looks like no route at all.
      if (!carriesBearer(ctx.get('authorization'), metricsToken)) return next();
      ctx.type = metrics.registry.contentType;
      ctx.body = await metrics.registry.metrics();
    });
  }
  return router;
}

/** Whether an Authorization header is `Bearer <token>` (compared in constant time). */
export function carriesBearer(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
  return match?.[1] !== undefined && safeEqual(match[1], token);
}
