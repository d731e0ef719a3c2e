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
  // One parse of the header answers both questions (type-is would parse it again, and look up mime types);
  // none for the header as the SDKs send it.
  const header = ctx.get('content-type');
  let type = 'application/json';
  let charset: string | undefined;
  if (header !== type) {
    try {
      const parsed = parseContentType(header);
      type = parsed.type;
      charset = parsed.parameters.charset?.toLowerCase();
    } catch {
      throw new LoginError('unsupported_media_type', 'Send the body as Content-Type: application/json');
    }
  }
  if (type !== 'application/json') {
    throw new LoginError('unsupported_media_type', 'Send the body as Content-Type: application/json');
  }
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new LoginError('unsupported_media_type', 'The body must be UTF-8 JSON');
  }
  let text: string;
  try {
    // Read as bytes and decoded here: Buffer's UTF-8 decoder, without raw-body's iconv-lite stream.
    text = (await getRawBody(ctx.req, { length, limit: MAX_BODY_BYTES })).toString('utf8');
  } catch (err) {
    if ((err as { type?: string }).type === 'entity.too.large') {
      throw new LoginError('payload_too_large', `The body must be at most ${MAX_BODY_BYTES} bytes`);
    }
    throw new LoginError('invalid_request', 'The body could not be read');
  }
  // A byte order mark is allowed before UTF-8 JSON (RFC 8259 §8.1 lets a parser ignore it).
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
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
