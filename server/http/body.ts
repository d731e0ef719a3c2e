import { parse as parseContentType } from 'content-type';
import type { Context, Middleware } from 'koa';
import getRawBody from 'raw-body';
import { LoginError } from '../errors';

export const MAX_BODY_BYTES = 16 * 1024;

/**
 * Reads a JSON object body (PROTOCOL.md "Errors"): over 16 KiB → 413, not
 * application/json or a charset other than utf-8 → 415, not parseable or not
 * an object → 400. An absent body is `undefined` (the routes' schemas decide
 * whether that is allowed).
 */
export async function readJsonBody(ctx: Context): Promise<object | undefined> {
  const length = ctx.request.length;
  const hasBody = (length !== undefined && length > 0) || ctx.get('transfer-encoding') !== '';
  if (!hasBody) return undefined;
  if (!ctx.request.is('application/json')) {
    throw new LoginError('unsupported_media_type', 'Send the body as Content-Type: application/json');
  }
  let charset: string | undefined;
  try {
    charset = parseContentType(ctx.get('content-type')).parameters.charset?.toLowerCase();
  } catch {
    throw new LoginError('unsupported_media_type', 'The Content-Type header is malformed');
  }
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new LoginError('unsupported_media_type', 'The body must be UTF-8 JSON');
  }
  let text: string;
  try {
    text = await getRawBody(ctx.req, { length, limit: MAX_BODY_BYTES, encoding: 'utf-8' });
  } catch (err) {
    if ((err as { type?: string }).type === 'entity.too.large') {
      throw new LoginError('payload_too_large', `The body must be at most ${MAX_BODY_BYTES} bytes`);
    }
    throw new LoginError('invalid_request', 'The body could not be read');
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new LoginError('invalid_request', 'The body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new LoginError('invalid_request', 'The body must be a JSON object');
  }
  return body;
}

/** readJsonBody as a middleware: the body lands in `ctx.state.body`. */
export function jsonBody(): Middleware {
  return async (ctx, next) => {
    ctx.state.body = await readJsonBody(ctx);
    return next();
  };
}
