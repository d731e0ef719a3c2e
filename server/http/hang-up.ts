import type { Context } from 'koa';

/**
 * An AbortController that aborts when the client hangs up, whenever that
 * happens: before this is called (while earlier middleware awaited Redis, the
 * response's 'close' has already fired, so a listener added now would never
 * run) or later. The caller may abort it too (e.g. to end a wait early).
 * It also aborts once the response is sent, which is harmless for a waiter.
 */
export function abortOnHangUp(ctx: Pick<Context, 'req' | 'res'>): AbortController {
  const controller = new AbortController();
  const { req, res } = ctx;
  if (res.destroyed || res.closed || req.socket.destroyed) controller.abort();
  else res.once('close', () => controller.abort());
  return controller;
}

/** Whether the client of `ctx` is gone (nobody would read an answer). */
export const hungUp = (ctx: Pick<Context, 'req' | 'res'>): boolean => ctx.res.destroyed || ctx.req.socket.destroyed;
