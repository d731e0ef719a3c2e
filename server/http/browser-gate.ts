import type { Context, Middleware } from 'koa';
import { requestIp } from '../client-ip';
import { toLoginError } from '../errors';
import type { RateLimits } from '../limits/rate-limits';
import type { LoginService } from '../session/service';
import type { SessionRecord } from '../session/types';

/**
 * The checks of every browser call on one session, in this order, so that a
 * client naming sessions at random (any well-formed UUID) costs Redis two
 * counters per IP, never a key per id:
 * 1. the client's per-IP budget (`browserIp`), counted while the session is read;
 * 2. id + secret: a miss answers 404 and counts against the IP's failures
 *    (`browserFailure`; past it, 429);
 * 3. only then the per-session budget (`session`, per session and client).
 * The checked record is left in `ctx.state.session` for the route, whose
 * transition starts from it (no second read).
 */
export function browserGate(service: LoginService, limits: RateLimits, idOf: (ctx: Context) => string, secretOf: (ctx: Context) => string | undefined): Middleware {
  return async (ctx, next) => {
    const id = idOf(ctx);
    const ip = limits.ipKey(requestIp(ctx));
    const reading = service.readAhead(id);
    await limits.consume('browserIp', ip);
    let record: SessionRecord;
    try {
      record = await service.findForBrowser(id, secretOf(ctx), reading);
    } catch (err) {
      if (toLoginError(err)?.code === 'not_found') await limits.consume('browserFailure', ip);
      throw err;
    }
    await limits.consume('session', `${id}|${ip}`);
    ctx.state.session = record;
    return next();
  };
}

/** The record browserGate checked. */
export const gatedSession = (ctx: Context): SessionRecord => ctx.state.session as SessionRecord;
