import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { AppClaims, VerifyAppToken } from '../auth/app-token';
import { requestIp } from '../client-ip';
import { LoginError } from '../errors';
import type { LimitName, RateLimits } from '../limits/rate-limits';
import type { ScanAnswer, UserCodeScanAnswer } from '../../client/shared/protocol';
import type { LoginService } from '../session/service';
import { toSnapshot, type SessionRecord, type SessionUser } from '../session/types';
import { readJsonBody } from './body';
import { mobileCaller } from './mobile-caller';
import { describeLoginRequest, requesterOf } from './request-info';
import { codeBody, parse, scanBody, userCodeBody } from '../schemas';

export interface MobileRouteDeps {
  service: LoginService;
  /** Where the QR points: PUBLIC_URL + BASE_PATH. */
  publicUrl: string;
  verifyAppToken: VerifyAppToken;
  describeUser: (claims: AppClaims) => SessionUser | Promise<SessionUser>;
  limits: RateLimits;
}

/** What a body names: a session by id and code, or (scan only, v1.1) by a typed user code in canonical form. */
type Named = { id: string; code: string } | { userCode: string };

/** What a phone action acts on: the session its body names, who asks, and the session's read, under way. */
type Target<N extends Named> = N & {
  user: SessionUser;
  firstRead: Promise<SessionRecord | null>;
};

/** The phone's side: PROTOCOL.md "Mobile API". The user always comes from the verified app token. */
export function mobileRoutes({ service, publicUrl, verifyAppToken, describeUser, limits }: MobileRouteDeps): Router {
  const router = new Router({ prefix: '/api/mobile' });
  const qrOrigin = new URL(publicUrl).origin;
  const qrPath = `${new URL(publicUrl).pathname.replace(/\/+$/, '')}/m/login`;

  /**
   * What a scan names: `{userCode}` typed by the user (v1.1), `{id, code}`, or `{qr}`, the scanned URL;
   * only ours (PUBLIC_URL + BASE_PATH + /m/login) is accepted, a defence against relayed codes.
   */
  const scanned = (body: unknown): Named => {
    if (typeof body === 'object' && body !== null && 'userCode' in body) return parse(userCodeBody, body, 'body');
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

  /** Confirm and cancel name the session by id and code only. */
  const codeOnly = (body: unknown) => parse(codeBody, body, 'body');

  const admit = mobileCaller({ verifyAppToken, describeUser, limits });

  /**
   * A phone action on the session its body names. The caller's checks and the
   * session read run side by side (one Redis round trip for both), and the
   * answers keep their order: a refused caller gets 429 or 401 whatever its
   * body (without waiting for it), then body errors, then the session's.
   */
  const phoneAction =
    <N extends Named>(parseBody: (body: unknown) => N, act: (ctx: Context, target: Target<N>) => Promise<void>): Middleware =>
    async (ctx) => {
      const body = readJsonBody(ctx).then(parseBody);
      const firstRead = body.then((named) => ('userCode' in named ? service.readAheadUserCode(named.userCode) : service.readAhead(named.id)));
      firstRead.catch(() => undefined); // a refused caller never awaits it
      const user = await admit(ctx);
      await act(ctx, { ...(await body), user, firstRead });
    };

  /**
   * A typed user code is one of 20^8: each try counts against the caller's IP and
   * user up front (so parallel guesses cannot overrun the limit) and is given back
   * unless it turned out wrong (404). Over either limit: 429 whatever the code.
   */
  const tryUserCode = async <T>(ctx: Context, user: SessionUser, attempt: () => Promise<T>): Promise<T> => {
    // Keyed as the other mobile limits are.
    const counts: [LimitName, string][] = [['userCodeIp', limits.ipKey(requestIp(ctx))], ['userCodeUser', user.id]];
    const refund = (which: [LimitName, string][]) => Promise.all(which.map(([name, key]) => limits.refund(name, key)));
    const consumed = await Promise.allSettled(counts.map(([name, key]) => limits.consume(name, key)));
    const refused = consumed.find((result) => result.status === 'rejected');
    if (refused) {
      await refund(counts.filter((_, i) => consumed[i]?.status === 'fulfilled'));
      throw refused.reason;
    }
    try {
      const result = await attempt();
      await refund(counts);
      return result;
    } catch (err) {
      if (!(err instanceof LoginError && err.code === 'not_found')) await refund(counts);
      throw err;
    }
  };

  router.post(
    '/scan',
    phoneAction(scanned, async (ctx, target) => {
      const { user, firstRead } = target;
      const by = requesterOf(ctx);
      const record =
        'userCode' in target
          ? await tryUserCode(ctx, user, () => service.scanByUserCode(target.userCode, user, firstRead, by))
          : await service.scan(target.id, target.code, user, firstRead, by);
      const { user: _user, ...snapshot } = toSnapshot(record);
      const answer: ScanAnswer = { ...snapshot, request: describeLoginRequest(record, requestIp(ctx)) };
      // A user code stands in for the QR's code: the phone needs it to confirm or cancel.
      ctx.body = 'userCode' in target ? ({ ...answer, code: record.code } satisfies UserCodeScanAnswer) : answer;
    }),
  );

  router.post(
    '/confirm',
    phoneAction(codeOnly, async (ctx, { id, code, user, firstRead }) => {
      const record = await service.confirm(id, code, user.id, firstRead, requesterOf(ctx));
      ctx.body = { id: record.id, state: record.state, version: record.version };
    }),
  );

  router.post(
    '/cancel',
    phoneAction(codeOnly, async (ctx, { id, code, user, firstRead }) => {
      const record = await service.cancel(id, code, user.id, firstRead, requesterOf(ctx));
      ctx.body = { id: record.id, state: record.state, version: record.version };
    }),
  );

  return router;
}
