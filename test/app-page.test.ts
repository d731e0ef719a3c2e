/**
 * The production phone page (PROTOCOL.md v1.1, "Demo pages"): what a stock
 * camera opens from the QR with the demo off. Over real HTTP against a real
 * node; the rendering in Chromium is test/e2e/app-page.test.ts.
 */
import { pageCsp } from '../server/http/security-headers';
import { call, createLogin } from './support/client';
import { startTestServer, type TestServer } from './support/server';

const APP_LINK = 'https://app.shop.example/qr-login?src=camera';
const APP_STORE = 'https://apps.apple.com/app/id123456789';
const PLAY_STORE = 'https://play.google.com/store/apps/details?id=com.shop.app';

const pageOf = (server: TestServer, query: string, language?: string) =>
  call(server.url, 'GET', `/m/login${query}`, language ? { headers: { 'accept-language': language } } : {});

/** The href of the link into the app, unescaped, or null without one. */
function appLinkOf(html: string): string | null {
  const match = /<a class="open" href="([^"]*)">/.exec(html);
  return match?.[1] ? match[1].replace(/&amp;/g, '&') : null;
}

describe('GET /m/login with the demo off', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      store: 'memory',
      env: { SITE_NAME: 'Shop & Co', APP_LINK_URL: APP_LINK, APP_STORE_URL: APP_STORE, PLAY_STORE_URL: PLAY_STORE },
    });
  });
  afterAll(() => server.close());

  test('names the site, links into its app with id and code passed on, and to both stores; no demo users', async () => {
    const login = await createLogin(server.url);
    const res = await pageOf(server, `?id=${login.id}&code=${login.code}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html: string = res.body;
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<title>Log in to Shop &amp; Co</title>');
    expect(html).toContain('Open in the Shop &amp; Co app');
    const link = new URL(appLinkOf(html) as string);
    expect(`${link.origin}${link.pathname}`).toBe('https://app.shop.example/qr-login');
    expect(Object.fromEntries(link.searchParams)).toEqual({ src: 'camera', id: login.id, code: login.code });
    expect(html).toContain(`<a href="${APP_STORE}" rel="noopener noreferrer">Download on the App Store</a>`);
    expect(html).toContain(`<a href="${PLAY_STORE}" rel="noopener noreferrer">Get it on Google Play</a>`);
    expect(html).toContain('Never for a code someone sent you');
    // Nothing of the demo phone page: no script, no users to pick.
    expect(html).not.toContain('<script');
    expect(html).not.toMatch(/phone-page|demo|Ana|data-user/i);
  });

  test('is served under the pages CSP, kept out of caches, and varies by language', async () => {
    const login = await createLogin(server.url);
    const res = await pageOf(server, `?id=${login.id}&code=${login.code}`);
    expect(res.headers.get('content-security-policy')).toBe(pageCsp([server.url]));
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('vary')).toMatch(/Accept-Language/i);
    const css = await call(server.url, 'GET', '/assets/app-page.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(css.body).toContain('prefers-color-scheme: dark');
    expect(res.body).toContain('<link rel="stylesheet" href="/assets/app-page.css">');
  });

  test.each([
    [undefined, 'en', 'Log in to Shop &amp; Co'],
    ['en-GB,en;q=0.9', 'en', 'Log in to Shop &amp; Co'],
    ['zh-CN,zh;q=0.9,en;q=0.8', 'zh-CN', '登录 Shop &amp; Co'],
    ['zh-TW', 'zh-CN', '登录 Shop &amp; Co'],
    ['es-MX,es;q=0.9', 'es', 'Iniciar sesión en Shop &amp; Co'],
    ['fr-FR, es;q=0.5, en;q=0.4', 'es', 'Iniciar sesión en Shop &amp; Co'],
    ['de-DE', 'en', 'Log in to Shop &amp; Co'],
    ['en;q=0.1, zh;q=0.9', 'zh-CN', '登录 Shop &amp; Co'],
  ])('Accept-Language %s is answered in %s, with html lang set', async (language, lang, title) => {
    const login = await createLogin(server.url);
    const res = await pageOf(server, `?id=${login.id}&code=${login.code}`, language);
    expect(res.status).toBe(200);
    expect(res.body).toContain(`<html lang="${lang}">`);
    expect(res.body).toContain(`<title>${title}</title>`);
    expect(res.body).toContain(`<h1>${title}</h1>`);
  });

  test.each([
    ['no query at all', ''],
    ['no code', '?id=6f1c2a8e-1b2c-4d3e-8f4a-5b6c7d8e9f00'],
    ['an id that is not one', '?id=abc&code=xyz'],
    ['an id given twice', '?id=6f1c2a8e-1b2c-4d3e-8f4a-5b6c7d8e9f00&id=6f1c2a8e-1b2c-4d3e-8f4a-5b6c7d8e9f01&code=xyz'],
    ['a code with markup', `?id=6f1c2a8e-1b2c-4d3e-8f4a-5b6c7d8e9f00&code=${encodeURIComponent('"><script>alert(1)</script>')}`],
  ])('%s: a 400 page that says the link is incomplete and links into nothing', async (_what, query) => {
    const res = await pageOf(server, query);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('This login link is incomplete');
    expect(appLinkOf(res.body)).toBeNull();
    expect(res.body).not.toContain('<script');
    expect(res.body).not.toContain('alert(1)');
  });
});

describe('the production page escapes everything it shows', () => {
  test('a site name and links with markup come out as text and well-formed attributes', async () => {
    const server = await startTestServer({
      store: 'memory',
      env: {
        SITE_NAME: '<img src=x onerror=alert(1)>"\'&Shop',
        APP_LINK_URL: 'https://app.example/open?next="><script>alert(2)</script>',
        APP_STORE_URL: "https://apps.apple.com/app/x?a='onmouseover='alert(3)",
      },
    });
    try {
      const login = await createLogin(server.url);
      const html: string = (await pageOf(server, `?id=${login.id}&code=${login.code}`)).body;
      expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;Shop');
      expect(html).not.toMatch(/<img|<script|onerror=alert\(1\)>|'onmouseover=/);
      // Every attribute value is closed by its own quote: the only tags are the page's own.
      const tags = html.match(/<[a-z][^>]*>/g) ?? [];
      for (const tag of tags) expect(tag).toMatch(/^<(html|head|meta|title|link|body|main|h1|h2|p|a|section|ul|li)\b/);
      const link = new URL(appLinkOf(html) as string);
      expect(link.searchParams.get('next')).toBe('"><script>alert(2)</script>');
      expect(link.searchParams.get('id')).toBe(login.id);
    } finally {
      await server.close();
    }
  });
});

describe('GET /m/login in other setups', () => {
  test('without APP_LINK_URL or stores: names the host and tells the user to scan from the app', async () => {
    const server = await startTestServer({ store: 'memory' });
    try {
      const login = await createLogin(server.url);
      const res = await pageOf(server, `?id=${login.id}&code=${login.code}`, 'es');
      expect(res.status).toBe(200);
      const host = new URL(server.url).host;
      expect(res.body).toContain(`<title>Iniciar sesión en ${host}</title>`);
      expect(res.body).toContain(`Abre la app de ${host} y escanea el código desde ella.`);
      expect(appLinkOf(res.body)).toBeNull();
      expect(res.body).not.toContain('class="stores"');
    } finally {
      await server.close();
    }
  });

  test('with the demo on it is the demo phone page, and under BASE_PATH the production page links its stylesheet there', async () => {
    const demo = await startTestServer({ store: 'memory', env: { DEMO: '1', DEMO_FORCE: '1', SITE_NAME: 'Shop' } });
    const based = await startTestServer({ store: 'memory', env: { BASE_PATH: '/auth', APP_LINK_URL: APP_LINK } });
    try {
      const login = await createLogin(demo.url);
      const phone = await pageOf(demo, `?id=${login.id}&code=${login.code}`);
      expect(phone.status).toBe(200);
      expect(phone.body).toContain('phone-page.js');
      expect(phone.body).not.toContain('app-page.css');

      const page = await call(based.url, 'GET', `/auth/m/login?id=${login.id}&code=${login.code}`);
      expect(page.status).toBe(200);
      expect(page.body).toContain('<link rel="stylesheet" href="/auth/assets/app-page.css">');
      expect((await call(based.url, 'GET', '/auth/assets/app-page.css')).status).toBe(200);
    } finally {
      await Promise.all([demo.close(), based.close()]);
    }
  });
});
