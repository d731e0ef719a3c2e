import Router from '@koa/router';
import type { Middleware } from 'koa';
import { bearerToken, type AppClaims, type VerifyAppToken } from '../auth/app-token';
import { LoginError } from '../errors';
import type { RateLimits } from '../limits/rate-limits';
import type { LoginService } from '../session/service';
import { toSnapshot, type SessionUser } from '../session/types';
import { jsonBody } from './body';
import { describeLoginRequest, normalizeIp } from './request-info';
import { codeBody, parse, scanBody } from './schemas';

export interface MobileRouteDeps {
  service: LoginService;
  /** Where the QR points: PUBLIC_URL + BASE_PATH. */
  publicUrl: string;
  verifyAppToken: VerifyAppToken;
  describeUser: (claims: AppClaims) => SessionUser;
  limits: RateLimits;
}

/** The phone's side: PROTOCOL.md "Mobile API". The user always comes from the verified app token. */
export function mobileRoutes({ service, publicUrl, verifyAppToken, describeUser, limits }: MobileRouteDeps): Router {
  const router = new Router({ prefix: '/api/mobile' });
  // Counted per IP whatever the token (guessing tokens costs) and per verified user. The two
  // counts run side by side (one Redis round trip less on the confirm path), but the IP limit
  // wins: over it every answer is 429, so a bad token is never told apart from a good one.
  const appUser: Middleware = async (ctx, next) => {
    const [ip, user] = await Promise.allSettled([
      limits.consume('mobileIp', normalizeIp(ctx.ip)),
      (async () => {
        const verified = describeUser(await verifyAppToken(bearerToken(ctx.get('authorization'))));
        await limits.consume('mobileUser', verified.id);
        return verified;
      })(),
    ]);
    if (ip.status === 'rejected') throw ip.reason;
    if (user.status === 'rejected') throw user.reason;
    ctx.state.user = user.value;
    return next();
  };
  const qrOrigin = new URL(publicUrl).origin;
  const qrPath = `${new URL(publicUrl).pathname.replace(/\/+$/, '')}/m/login`;

  /** `{qr}` is the scanned URL; only ours (PUBLIC_URL + BASE_PATH + /m/login) is accepted, a defence against relayed codes. */
  const idAndCode = (body: unknown): { id: string; code: string } => {
    const parsed = parse(scanBody, body, 'body');
    if (!('qr' in parsed)) return parsed;
    let url: URL;
    try {
      url = new URL(parsed.qr);
    } catch {
      throw new LoginError('invalid_request', 'qr: is not a login QR code');
    }
    if (url.origin !== qrOrigin || url.pathname !== qrPath) {
      throw new LoginError('invalid_request', `qr: is not a login QR code of ${qrOrigin}`);
    }
    return parse(codeBody, { id: url.searchParams.get('id') ?? undefined, code: url.searchParams.get('code') ?? undefined }, 'qr');
  };

  router.post('/scan', appUser, jsonBody(), async (ctx) => {
    const { id, code } = idAndCode(ctx.state.body);
    const record = await service.scan(id, code, ctx.state.user);
    const { user: _user, ...snapshot } = toSnapshot(record);
    ctx.body = { ...snapshot, request: describeLoginRequest(record, normalizeIp(ctx.ip)) };
  });

  router.post('/confirm', appUser, jsonBody(), async (ctx) => {
    const { id, code } = parse(codeBody, ctx.state.body, 'body');
    const record = await service.confirm(id, code, ctx.state.user.id);
    ctx.body = { id: record.id, state: record.state, version: record.version };
  });

  router.post('/cancel', appUser, jsonBody(), async (ctx) => {
    const { id, code } = parse(codeBody, ctx.state.body, 'body');
    const record = await service.cancel(id, code, ctx.state.user.id);
    ctx.body = { id: record.id, state: record.state, version: record.version };
  });

  return router;
}
