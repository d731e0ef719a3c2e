import { requestJson, type FetchLike } from '../shared/http';
import type { CreatedLoginSession, CreateLoginSessionRequest, LoginSnapshot, RedeemedLogin } from '../shared/protocol';

/** The browser side of PROTOCOL.md over HTTP. Each call throws a typed QrLoginError on failure. */
export interface BrowserApi {
  /** With `{ svg: false }` the answer's `qr` may lack `svg` (a server that knows the field leaves it out). */
  create(request?: CreateLoginSessionRequest): Promise<CreatedLoginSession>;
  /** Reads the snapshot; with `after` and `waitMs` a long poll that returns once the version is newer or time is up. */
  poll(id: string, secret: string, wait?: { after: number; waitMs: number }, signal?: AbortSignal): Promise<LoginSnapshot>;
  redeem(id: string, secret: string): Promise<RedeemedLogin>;
  /** Gives an unfinished session up; `keepalive` so it still goes out while the page unloads. */
  abandon(id: string, secret: string): Promise<void>;
}

export function createHttpApi(baseUrl: string, fetchImpl: FetchLike = (url, init) => fetch(url, init)): BrowserApi {
  const path = (id: string) => `/api/login-sessions/${encodeURIComponent(id)}`;
  const auth = (secret: string) => ({ 'x-login-secret': secret });
  return {
    create: (request) => requestJson(fetchImpl, baseUrl, { method: 'POST', path: '/api/login-sessions', body: request }),
    poll: (id, secret, wait, signal) => {
      const query = wait ? `?after=${wait.after}&waitMs=${wait.waitMs}` : '';
      return requestJson(fetchImpl, baseUrl, { method: 'GET', path: path(id) + query, headers: auth(secret), signal });
    },
    redeem: (id, secret) => requestJson(fetchImpl, baseUrl, { method: 'POST', path: `${path(id)}/redeem`, headers: auth(secret) }),
    abandon: (id, secret) => requestJson(fetchImpl, baseUrl, { method: 'DELETE', path: path(id), headers: auth(secret), keepalive: true }),
  };
}
