import { InvalidRequestError } from '../shared/errors';
import { requestJson, type FetchLike } from '../shared/http';
import { formatUserCode, normalizeUserCode, type DevicesAnswer, type LinkedDevice, type ScanAnswer, type TransitionAnswer, type UserCodeScanAnswer } from '../shared/protocol';

/** The login a QR code points to. */
export interface LoginRef {
  id: string;
  code: string;
}

/** The scan answer plus the code, which confirm and cancel need. */
export interface ScannedLogin extends ScanAnswer {
  code: string;
}

export interface MobileClientOptions {
  /** Origin of the qrlogin server the app trusts (not taken from the QR: a relayed QR must not pick the server). */
  baseUrl: string;
  /** The app's own login JWT, or a function returning a fresh one before each call. */
  token: string | (() => string | Promise<string>);
  /** Defaults to the global fetch (browsers, React Native, Node ≥ 18). */
  fetch?: FetchLike;
}

export interface MobileClient {
  /** Marks the login as scanned by this app's user; the answer says which browser asks (show it before confirming). */
  scan(qr: string | LoginRef): Promise<ScannedLogin>;
  /**
   * (v1.1) The same, for a user who typed the code shown under the QR (`BCDF-GHJK`; any case,
   * spaces and dashes ignored) because the camera could not scan. A text that cannot be a user
   * code is refused before any request; one no login waits for is a NotFoundError.
   */
  scanUserCode(typed: string): Promise<ScannedLogin>;
  confirm(login: LoginRef): Promise<TransitionAnswer>;
  cancel(login: LoginRef): Promise<TransitionAnswer>;
  /** (v1.1) The browsers this app's user is logged in on, newest first. */
  devices(): Promise<LinkedDevice[]>;
  /** (v1.1) Signs one of them out (also fine when it already was); another user's or unknown: NotFoundError. */
  signOut(sid: string): Promise<void>;
}

/** `id` and `code` of a scanned login QR URL (`…[BASE_PATH]/m/login?id=…&code=…`), or null when it is not one. */
export function parseLoginQr(content: string): LoginRef & { origin: string } | null {
  let url: URL;
  try {
    url = new URL(content.trim());
  } catch {
    return null;
  }
  const id = url.searchParams.get('id');
  const code = url.searchParams.get('code');
  if (!url.pathname.endsWith('/m/login') || !id || !code) return null;
  return { origin: url.origin, id, code };
}

/**
 * PROTOCOL.md "Mobile API" for an app: each call sends the app token as
 * Bearer and throws the typed error of the protocol's code
 * (ExpiredError, AlreadyScannedError, InvalidTokenError, …).
 */
export function createMobileClient({ baseUrl, token, fetch: fetchImpl }: MobileClientOptions): MobileClient {
  const doFetch: FetchLike = fetchImpl ?? ((url, init) => fetch(url, init));
  const send = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const bearer = typeof token === 'function' ? await token() : token;
    return requestJson<T>(doFetch, baseUrl, { method, path, body, headers: { authorization: `Bearer ${bearer}` } });
  };
  const post = <T>(path: string, body: unknown) => send<T>('POST', path, body);
  return {
    async scan(qr) {
      const ref = typeof qr === 'string' ? parseLoginQr(qr) : qr;
      if (!ref) throw new InvalidRequestError('invalid_request', 'This is not a login QR code');
      // The scanned text goes as-is so the server can check it is one of its own codes.
      const answer = await post<ScanAnswer>('/api/mobile/scan', typeof qr === 'string' ? { qr: qr.trim() } : { id: ref.id, code: ref.code });
      return { ...answer, code: ref.code };
    },
    async scanUserCode(typed) {
      const userCode = normalizeUserCode(typed);
      if (!userCode) throw new InvalidRequestError('invalid_request', 'This is not a login code: it has 8 letters, like BCDF-GHJK');
      return post<UserCodeScanAnswer>('/api/mobile/scan', { userCode: formatUserCode(userCode) });
    },
    confirm: ({ id, code }) => post('/api/mobile/confirm', { id, code }),
    cancel: ({ id, code }) => post('/api/mobile/cancel', { id, code }),
    devices: async () => (await send<DevicesAnswer>('GET', '/api/mobile/devices')).devices,
    signOut: (sid) => send<void>('DELETE', `/api/mobile/devices/${encodeURIComponent(sid)}`),
  };
}
