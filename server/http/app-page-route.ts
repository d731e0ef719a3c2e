import Router from '@koa/router';
import { renderAppPage } from '../pages/app-page';
import { pickLanguage } from '../pages/language';
import { codeBody } from '../schemas';

export interface AppPageDeps {
  /** SITE_NAME (or the public host). */
  siteName: string;
  /** APP_LINK_URL: the app's universal / app link; the scanned id and code are added to its query. */
  appLinkUrl?: string;
  appStoreUrl?: string;
  playStoreUrl?: string;
  basePath?: string;
}

/**
 * `GET /m/login` with the demo off: the page a stock camera opens from the
 * QR (server/pages/app-page.ts). It reads nothing from the store: the id and
 * code only pass on to the app, which scans them with its own token.
 */
export function appPageRoute({ siteName, appLinkUrl, appStoreUrl, playStoreUrl, basePath = '' }: AppPageDeps): Router {
  const router = new Router();
  router.get('/m/login', (ctx) => {
    const ref = codeBody.safeParse({ id: ctx.query.id, code: ctx.query.code });
    let appLink: string | null = null;
    if (ref.success && appLinkUrl) {
      const url = new URL(appLinkUrl);
      url.searchParams.set('id', ref.data.id);
      url.searchParams.set('code', ref.data.code);
      appLink = url.href;
    }
    ctx.status = ref.success ? 200 : 400;
    ctx.type = 'html';
    // The URL holds a live code: kept out of caches; the language follows the header.
    ctx.set('Cache-Control', 'no-store');
    ctx.vary('Accept-Language');
    ctx.body = renderAppPage({ lang: pickLanguage(ctx), siteName, appLink, validLink: ref.success, appStoreUrl, playStoreUrl, basePath });
  });
  return router;
}
