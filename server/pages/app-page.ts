import escapeHtml from 'escape-html';
import { APP_PAGE_TEXT } from './app-page-text';
import type { PageLanguage } from './language';

export interface AppPageInput {
  lang: PageLanguage;
  siteName: string;
  /** APP_LINK_URL with the scanned id and code added; null without one or when the link was not a login code. */
  appLink: string | null;
  /** Whether the page was opened with a well-formed id and code. */
  validLink: boolean;
  appStoreUrl?: string;
  playStoreUrl?: string;
  /** BASE_PATH, for the stylesheet. */
  basePath: string;
}

/**
 * The page a stock camera app opens from a login QR when the demo is off
 * (PROTOCOL.md "Demo pages", v1.1): it names the site, sends the user into
 * the site's app with the code, and to the stores for a phone without it.
 * No script: it is served under the pages' CSP (script-src 'self') and needs
 * none. Every value is escaped, configuration included.
 */
export function renderAppPage(input: AppPageInput): string {
  const text = APP_PAGE_TEXT[input.lang];
  const site = input.siteName;
  const title = escapeHtml(text.title(site));
  const body: string[] = [`<h1>${title}</h1>`];
  if (!input.validLink) {
    body.push(`<p>${escapeHtml(text.badLink)}</p>`);
  } else {
    body.push(`<p>${escapeHtml(text.scanned(site))}</p>`);
    if (input.appLink) body.push(`<p><a class="open" href="${escapeHtml(input.appLink)}">${escapeHtml(text.openApp(site))}</a></p>`);
    else body.push(`<p>${escapeHtml(text.scanInApp(site))}</p>`);
    body.push(`<p class="warning">${escapeHtml(text.onlyYou)}</p>`);
  }
  const stores = [
    [input.appStoreUrl, text.appStore],
    [input.playStoreUrl, text.playStore],
  ].filter((store): store is [string, string] => Boolean(store[0]));
  if (stores.length) {
    const links = stores.map(([href, label]) => `<li><a href="${escapeHtml(href)}" rel="noopener noreferrer">${escapeHtml(label)}</a></li>`);
    body.push(`<section class="stores"><h2>${escapeHtml(text.noApp)}</h2><ul>${links.join('')}</ul></section>`);
  }
  return `<!doctype html>
<html lang="${input.lang}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="color-scheme" content="light dark">
  <meta name="robots" content="noindex">
  <title>${title}</title>
  <link rel="stylesheet" href="${escapeHtml(input.basePath)}/assets/app-page.css">
</head>
<body>
  <main class="card">
    ${body.join('\n    ')}
  </main>
</body>
</html>
`;
}
