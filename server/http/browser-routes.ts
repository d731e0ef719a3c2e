import Router from '@koa/router';
import type { Context } from 'koa';
import { qrPng, qrSvg } from '../qr';
import type { RateLimits } from '../limits/rate-limits';
import type { LoginService } from '../session/service';
import { toSnapshot } from '../session/types';
import { jsonBody } from './body';
import { requesterOf } from './request-info';
import { browserGate, gatedSession } from './browser-gate';
import { abortOnHangUp, hungUp } from './hang-up';
import { formatUserCode, type CreatedLoginSession, type CreateLoginSessionRequest } from '../../client/shared/protocol';
import { createBody, longPollQuery, parse, secret as secretSchema, sessionId } from '../schemas';

/**
 * Holds a long poll (the realtime layer's listeners): `changed` resolves when
 * a version of `id` newer than `after` is seen on this node, when `waitMs`
 * passes or `signal` aborts; `subscribed` once changes from other nodes are
 * heard, when a read no longer misses one written in between.
 */
export type WaitForChange = (
  id: string,
  expiresAt: string,
  after: number,
  waitMs: number,
  signal: AbortSignal,
) => { subscribed: Promise<void>; changed: Promise<void> };

export interface BrowserRouteDeps {
  service: LoginService;
  waitForChange: WaitForChange;
  ttlSeconds: number;
  pollIntervalMs: number;
  limits: RateLimits;
  /** Told of every login session created (the qrlogin_sessions_created_total metric). */
  onCreated?: () => void;
}

/** A header that cannot be a secret (wrong alphabet or length) reads as absent: 404 like any wrong secret. */
const secretOf = (ctx: Context): string | undefined => {
  const header = ctx.get('x-login-secret');
  return secretSchema.safeParse(header).success ? header : undefined;
};
/** The id as written in the path: the router decodes `%36` to `6`, but only the spelling issued is valid (PROTOCOL.md). */
const idOf = (ctx: Context): string => {
  const id = parse(sessionId, ctx.params.id, 'id');
  if (!ctx.path.split('/').includes(id)) parse(sessionId, ctx.path, 'id');
  return id;
};

/** The website's side: PROTOCOL.md "Browser API". Every read needs the secret. */
export function browserRoutes({ service, waitForChange, ttlSeconds, pollIntervalMs, limits, onCreated }: BrowserRouteDeps): Router {
  const router = new Router({ prefix: '/api/login-sessions' });
  // Per IP first; per session and client only once id + secret check out: whoever saw the QR (it holds the id)
  // cannot use up the real browser's budget, and random ids cannot make a counter each.
  const session = browserGate(service, limits, idOf, secretOf);

  router.post('/', jsonBody(), async (ctx) => {
    // Only `svg` is read from the body, and checked before the creation is counted: a refused
    // body spends no point and creates nothing. The server alone chooses ids and lifetimes.
    const { svg: withSvg = true }: CreateLoginSessionRequest = parse(createBody, ctx.state.body, 'body') ?? {};
    const browser = requesterOf(ctx);
    const client = limits.ipKey(browser.ip);
    // Counted by the store in the session's own write when it can (one Redis), else here first.
    const quota = service.countsCreations ? limits.quota('create', client) : undefined;
    if (!quota) await limits.consume('create', client);
    const created = await service.create(browser, quota);
    if (!('record' in created)) throw limits.overQuota('create', created.retryAfterMs);
    const { record, secret, qrContent } = created;
    // Drawing the SVG is a sizeable share of a creation's cost: skipped for a browser that draws it itself.
    const qr = withSvg ? { content: qrContent, svg: qrSvg(qrContent) } : { content: qrContent };
    onCreated?.();
    ctx.status = 201;
    ctx.set('Cache-Control', 'no-store');
    // Added to the snapshot, not spread into a new object: the spread took 4.4 µs a creation, the rest of the answer 0.7.
    const answer: CreatedLoginSession = Object.assign(toSnapshot(record), { secret, expiresIn: ttlSeconds, pollIntervalMs, qr });
    if (record.userCode) answer.userCode = formatUserCode(record.userCode);
    ctx.body = answer;
  });

  router.get('/:id', session, async (ctx) => {
    // Also notices a client that hung up while the gate awaited Redis, and any later.
    const stop = abortOnHangUp(ctx);
    const id = idOf(ctx);
    const { after, waitMs } = parse(longPollQuery, ctx.query, 'query');
    const record = gatedSession(ctx);
    ctx.set('Cache-Control', 'no-store');
    if (after === undefined || !waitMs || record.version > after) {
      ctx.body = toSnapshot(record);
      return;
    }
    // A client gone already is not waited for (waitForChange returns at once on an aborted signal).
    // Long poll: listen first, then re-read, so a change in between is not missed.
    const { subscribed, changed } = waitForChange(id, toSnapshot(record).expiresAt, after, waitMs, stop.signal);
    // Subscribed (or, with Redis away, given up when the wait ends: the read below then answers 503).
    await Promise.race([subscribed, changed]);
    if (!stop.signal.aborted) {
      const current = await service.snapshot(id);
      if (current && current.version > after) stop.abort();
    }
    await changed;
    // Nobody reads the answer of a poll whose client hung up: no last read for it.
    if (hungUp(ctx)) {
      ctx.body = toSnapshot(record);
      return;
    }
    ctx.body = (await service.snapshot(id)) ?? toSnapshot(record);
  });

  router.get('/:id/qr.svg', session, async (ctx) => {
    const record = gatedSession(ctx);
    ctx.type = 'image/svg+xml';
    ctx.set('Cache-Control', 'private, no-store');
    ctx.body = qrSvg(service.qrContent(record));
  });

  router.get('/:id/qr.png', session, async (ctx) => {
    const record = gatedSession(ctx);
    ctx.type = 'image/png';
    ctx.set('Cache-Control', 'private, no-store');
    ctx.body = await qrPng(service.qrContent(record));
  });

  router.post('/:id/redeem', session, jsonBody(), async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    // The redeeming browser becomes the linked device the phone lists.
    ctx.body = await service.redeem(idOf(ctx), secretOf(ctx), Promise.resolve(gatedSession(ctx)), requesterOf(ctx));
  });

  router.delete('/:id', session, async (ctx) => {
    await service.abandon(idOf(ctx), secretOf(ctx), Promise.resolve(gatedSession(ctx)), requesterOf(ctx));
    ctx.status = 204;
  });

  return router;
}
