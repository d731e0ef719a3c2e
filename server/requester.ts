import { AsyncLocalStorage } from 'node:async_hooks';

/** Who made the request being handled: the client address (by the TRUST_PROXY rules) and its User-Agent. */
export interface Requester {
  ip: string;
  userAgent: string;
}

/**
 * The requester of the HTTP request or socket message a change is made for.
 * Set where requests come in (HTTP middleware, socket message middleware) and
 * read where the change is announced, so the login rules need not carry it.
 */
const current = new AsyncLocalStorage<Requester>();

export function withRequester<T>(requester: Requester, run: () => T): T {
  return current.run(requester, run);
}

export function currentRequester(): Requester | undefined {
  return current.getStore();
}
