import Router from '@koa/router';
import { bearerToken } from '../auth/app-token';
import type { WebTokens } from '../auth/web-token';
import type { VerifyWebToken } from '../devices/token-check';
import type { DeviceService } from '../devices/service';
import type { MeAnswer } from '../../client/shared/protocol';

export interface MeRouteDeps {
  webTokens: WebTokens;
  /** The check that also refuses signed-out tokens (devices/token-check.ts). */
  checkWebToken: VerifyWebToken;
  devices: DeviceService;
}

/**
 * The web token's own routes: `GET /api/me` (who a token belongs to; lets a
 * site check the token it was handed, sign-outs included) and
 * `POST /api/logout` (v1.1: the browser signs itself out).
 */
export function meRoute({ webTokens, checkWebToken, devices }: MeRouteDeps): Router {
  const router = new Router();
  router.get('/api/me', async (ctx) => {
    const { user, sid } = await checkWebToken(bearerToken(ctx.get('authorization')));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { user, sid } satisfies MeAnswer;
  });
  router.post('/api/logout', async (ctx) => {
    // Signature and expiry only: a token signed out before logs out again with 204.
    const { user, sid, expiresAt } = await webTokens.verify(bearerToken(ctx.get('authorization')));
    await devices.logout(user.id, sid, expiresAt);
    ctx.set('Cache-Control', 'no-store');
    ctx.status = 204;
  });
  return router;
}
