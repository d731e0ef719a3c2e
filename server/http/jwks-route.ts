import Router from '@koa/router';
import type { WebTokens } from '../auth/web-token';

/**
 * `GET /.well-known/jwks.json`: the public key(s) that verify web tokens, so a
 * site's other services check them without a shared secret. Only with an
 * asymmetric WEB_JWT_PRIVATE_KEY; with an HMAC secret there is nothing public
 * and the path is an ordinary 404.
 */
export function jwksRoute(webTokens: WebTokens): Router {
  const router = new Router();
  const jwks = webTokens.jwks();
  if (!jwks) return router;
  router.get('/.well-known/jwks.json', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = jwks;
  });
  return router;
}
