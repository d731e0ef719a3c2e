import type { Context } from 'koa';

/** The languages qrlogin's server-rendered pages are written in, as `<html lang>` names them. */
export const PAGE_LANGUAGES = ['en', 'zh-CN', 'es'] as const;
export type PageLanguage = (typeof PAGE_LANGUAGES)[number];

/**
 * The page language for the request's Accept-Language (q-values and order
 * as negotiator reads them); English when none fits. Offered by primary tag,
 * so `es-MX` gets Spanish and every `zh-*` (Hant too: closer than English)
 * gets Simplified Chinese.
 */
export function pickLanguage(ctx: Pick<Context, 'acceptsLanguages'>): PageLanguage {
  const best = ctx.acceptsLanguages(['en', 'zh', 'es']);
  if (best === 'zh') return 'zh-CN';
  if (best === 'es') return 'es';
  return 'en';
}
