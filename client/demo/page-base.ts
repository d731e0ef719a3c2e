/** Where this page's server is: its origin plus the BASE_PATH the server announces in a meta tag. */
export function serverBaseUrl(): string {
  const basePath = document.querySelector<HTMLMetaElement>('meta[name="qrlogin-base-path"]')?.content ?? '';
  return location.origin + basePath.replace(/\/+$/, '');
}

/** The element with `id`, which the page's HTML is known to contain. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element as T;
}

/** The site the user logs in to, as the server names it (SITE_NAME, or its public host). */
export function siteName(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="qrlogin-site-name"]')?.content || location.host;
}
