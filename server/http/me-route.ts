import Router from '@koa/router';
import { bearerToken } from '../auth/app-token';
import type { WebTokens } from '../auth/web-token';

/** `GET /api/me`: who a web token belongs to; lets a site check the token it was handed. */
export function meRoute(webTokens: WebTokens): Router {
  const router = new Router();
  router.get('/api/me', async (ctx) => {
    const user = await webTokens.verify(bearerToken(ctx.get('authorization')));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { user };
  });
  return router;
}
