import Router from '@koa/router';
import type { Metrics } from '../metrics';
import type { Store } from '../store/store';

/** Health, readiness and Prometheus metrics (PROTOCOL.md "Operations"). */
export function opsRoutes({ store, metrics }: { store: Store; metrics: Metrics }): Router {
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
  router.get('/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  return router;
}
