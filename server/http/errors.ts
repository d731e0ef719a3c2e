import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { LoginError, toLoginError, type ErrorCode } from '../errors';

/** PROTOCOL.md "Errors": the HTTP status of each code. The compiler checks every code has one. */
export const ERROR_STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  invalid_token: 401,
  invalid_code: 403,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  already_scanned: 409,
  invalid_state: 409,
  authorization_pending: 409,
  access_denied: 409,
  already_redeemed: 409,
  expired: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  unavailable: 503,
};

/**
 * The one place errors become responses: a LoginError is answered as
 * `{error, message}` with its status (and `Retry-After` when it says when);
 * anything else is logged and answered as a 500 without details. Unmatched
 * routes become `not_found` and known paths with another method
 * `method_not_allowed` (the router sets Allow).
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
        ctx.status = ERROR_STATUS[loginError.code];
        if (loginError.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(loginError.retryAfterSeconds));
        ctx.body = loginError.toJSON();
        if (loginError.code === 'unavailable') logger.warn({ err: (err as Error).cause ?? err }, 'store unavailable');
        return;
      }
      logger.error({ err }, 'unhandled error');
      ctx.status = 500;
      ctx.body = new LoginError('internal_error', 'Something went wrong on our side').toJSON();
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
