import type { Context } from 'koa';
import { bearerToken, type AppClaims, type VerifyAppToken } from '../auth/app-token';
import { requestIp } from '../client-ip';
import type { RateLimits } from '../limits/rate-limits';
import type { SessionUser } from '../session/types';

export interface MobileCallerDeps {
  verifyAppToken: VerifyAppToken;
  describeUser: (claims: AppClaims) => SessionUser | Promise<SessionUser>;
  limits: RateLimits;
}

/**
 * Who calls the Mobile API: the user of the verified app token, counted per
 * IP whatever the token (guessing tokens costs) and per verified user. The two
 * counts run side by side, but the IP limit wins: over it every answer is
 * 429, so a bad token is never told apart from a good one.
 */
export function mobileCaller({ verifyAppToken, describeUser, limits }: MobileCallerDeps): (ctx: Context) => Promise<SessionUser> {
  return async (ctx) => {
    const [ip, user] = await Promise.allSettled([
      limits.consume('mobileIp', limits.ipKey(requestIp(ctx))),
      (async () => {
        const verified = await describeUser(await verifyAppToken(bearerToken(ctx.get('authorization'))));
        await limits.consume('mobileUser', verified.id);
        return verified;
      })(),
    ]);
    if (ip.status === 'rejected') throw ip.reason;
    if (user.status === 'rejected') throw user.reason;
    return user.value;
  };
}
