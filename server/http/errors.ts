import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { LoginError, toLoginError } from '../errors';

/**
 * The one place errors become responses: a LoginError is answered as
 * `{error, message}` with its status; anything else is logged and answered
 * as a 500 without details. Unmatched routes become `not_found` and known
 * paths with another method `method_not_allowed` (the router sets Allow).
 */
export function errorHandler(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 405 || ctx.status === 501) {
        throw new LoginError('method_not_allowed', `${ctx.method} is not allowed on ${ctx.path}`);
      }
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new LoginError('not_found', `No route for ${ctx.method} ${ctx.path}`);
      }
    } catch (err) {
      const loginError = toLoginError(err) ?? fromKoaError(err);
      if (loginError) {
        ctx.status = loginError.status;
        ctx.set(loginError.headers);
        ctx.body = loginError.toJSON();
        if (loginError.code === 'unavailable') logger.warn({ err: (err as Error).cause ?? err }, 'store unavailable');
        return;
      }
      logger.error({ err }, 'unhandled error');
      ctx.status = 500;
      ctx.body = { error: 'internal_error', message: 'Something went wrong on our side' };
    }
  };
}

/** Errors thrown by Koa itself on malformed requests (e.g. a bad Host) still get the JSON shape. */
function fromKoaError(err: unknown): LoginError | null {
  const status = (err as { status?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500 && (err as { expose?: boolean }).expose) {
    return new LoginError('invalid_request', (err as Error).message);
  }
  return null;
}
