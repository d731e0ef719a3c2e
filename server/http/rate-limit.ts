import type { Context, Middleware } from 'koa';
import type { LimitName, RateLimits } from '../limits/rate-limits';

/** A Koa middleware counting the request against `name` under the key `keyOf` picks. */
export function limitBy(limits: RateLimits, name: LimitName, keyOf: (ctx: Context) => string): Middleware {
  return async (ctx, next) => {
    await limits.consume(name, keyOf(ctx));
    return next();
  };
}
