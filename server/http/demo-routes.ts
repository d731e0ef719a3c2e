import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import Router from '@koa/router';
import escapeHtml from 'escape-html';
import jwt from 'jsonwebtoken';
import type { Context } from 'koa';
import { fillSlots } from '../../client/demo/i18n';
import { LoginError } from '../errors';
import { pickLanguage } from '../pages/language';
import { withBasePath } from './base-path';
import { jsonBody } from './body';
import { demoTokenBody, parse } from '../schemas';

export interface DemoRouteDeps {
  /** Folder with the built demo pages (index.html, phone.html, assets/); default: dist/public of this package. */
  publicDir?: string;
  /** The HS256 secret app tokens are checked with; present only when the demo is on. */
  demoAppSecret?: string;
  /** BASE_PATH: the pages' links and scripts follow it. */
  basePath?: string;
  /** SITE_NAME (or the public host): the pages name the site the user logs in to. */
  siteName: string;
}

const ASSET = /^[a-z0-9-]+\.(js|css|map|svg)$/;

/**
 * The demo website (`/`) and the phone page (`/m/login`) that stands in for
 * the mobile app, plus the endpoint that mints demo app tokens. The phone page
 * and the token endpoint exist only with the demo on: they let anyone log in
 * as anyone (with the demo off, /m/login is the production page, app-page-route.ts).
 */
export function demoRoutes({ publicDir = defaultPublicDir(), demoAppSecret, basePath = '', siteName }: DemoRouteDeps): Router {
  const router = new Router();
  // In the language Accept-Language asks for (client/demo/i18n.ts), which <html lang> tells the page's script.
  const page = (file: string) => async (ctx: Context) => {
    const html = fillSlots(await readFile(join(publicDir, file), 'utf8'), pickLanguage(ctx), siteName, escapeHtml);
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-cache');
    ctx.vary('Accept-Language');
    ctx.body = withBasePath(html, basePath);
  };
  router.get('/', page('index.html'));
  if (demoAppSecret) router.get('/m/login', page('phone.html'));
  // Browsers ask for it on every site; a 404 JSON there is noise in every log.
  router.get('/favicon.ico', async (ctx) => {
    ctx.body = await readFile(join(publicDir, 'favicon.ico'));
    ctx.type = 'image/x-icon';
    ctx.set('Cache-Control', 'public, max-age=86400');
  });
  router.get('/assets/:file', async (ctx) => {
    const file = String(ctx.params.file);
    if (!ASSET.test(file)) throw new LoginError('not_found', 'No such asset');
    try {
      ctx.body = await readFile(join(publicDir, 'assets', file));
    } catch {
      throw new LoginError('not_found', 'No such asset');
    }
    ctx.type = file.split('.').pop() ?? 'application/octet-stream';
  });

  router.post('/api/demo/app-token', async (ctx, next) => {
    if (!demoAppSecret) throw new LoginError('not_found', 'The demo is off on this server');
    return next();
  }, jsonBody(), async (ctx) => {
    const { userId, name, picture } = parse(demoTokenBody, ctx.state.body, 'body');
    const claims = { name: name ?? userId, ...(picture ? { picture } : {}) };
    const token = jwt.sign(claims, demoAppSecret as string, { algorithm: 'HS256', subject: userId, expiresIn: '1h' });
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { token };
  });
  return router;
}

/** dist/public of this package, found from here whether running compiled (dist/server/http) or from source (server/http/). */
function defaultPublicDir(): string {
  let dir = __dirname;
  while (dir !== dirname(dir)) {
    try {
      readFileSync(join(dir, 'package.json'));
      return join(dir, 'dist', 'public');
    } catch {
      dir = dirname(dir);
    }
  }
  return join(__dirname, '..', 'public');
}
