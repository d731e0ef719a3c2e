import { z } from 'zod';
import { normalizeUserCode, USER_CODE_ALPHABET, USER_CODE_LENGTH } from '../client/shared/protocol';
import { LoginError } from './errors';

/** The lowercase UUID v4 as issued; any other spelling is a 400 (PROTOCOL.md). */
export const sessionId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'must be a session id');
const base64url = (max: number) => z.string().min(1).max(max).regex(/^[A-Za-z0-9_-]+$/, 'must be base64url');
export const code = base64url(128);
export const secret = base64url(128);

export const codeBody = z.object({ id: sessionId, code });
/** A typed user code (PROTOCOL.md v1.1): any case, spaces and dashes ignored; out comes the canonical form. */
export const userCode = z
  .string()
  .max(64)
  .transform((typed, ctx) => {
    const canonical = normalizeUserCode(typed);
    if (canonical === null) {
      ctx.addIssue({ code: 'custom', message: `must be ${USER_CODE_LENGTH} letters of ${USER_CODE_ALPHABET}, like BCDF-GHJK` });
      return z.NEVER;
    }
    return canonical;
  });
export const scanBody = z.union([z.object({ qr: z.string().min(1).max(2048) }), codeBody]);
/** The scan of a phone that cannot scan; told apart from scanBody by its `userCode` field, so errors name it. */
export const userCodeBody = z.object({ userCode });
export const longPollQuery = z.object({
  after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  waitMs: z.coerce.number().int().min(0).max(30_000).optional(),
});
export const demoTokenBody = z.object({
  userId: z.string().min(1).max(128),
  name: z.string().min(1).max(100).optional(),
  picture: z.url({ protocol: /^https?$/ }).max(2000).optional(),
});
/**
 * `POST /api/login-sessions` (an addition to PROTOCOL.md, README "Protocol
 * additions"): `svg: false` leaves `qr.svg` out of the answer, for a browser
 * that draws the QR itself. Other fields are ignored, as PROTOCOL.md says.
 */
export const createBody = z
  .object({ svg: z.boolean({ error: 'must be true or false (false: the answer\'s qr has no svg)' }).optional() })
  .optional();
export const socketAuth = z.object({ id: sessionId, secret });
/** `/session` handshake (v1.1): the web token; a JWT of ours is far below the bound. */
export const sessionSocketAuth = z.object({ token: z.string().min(1).max(8192) });

/** Parses or throws `invalid_request` naming the first bad field. */
export function parse<T extends z.ZodType>(schema: T, value: unknown, what = 'request'): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.length ? issue.path.join('.') : what;
  throw new LoginError('invalid_request', `${path}: ${issue?.message ?? 'is invalid'}`);
}
