import { createMobileClient, parseLoginQr } from '../mobile';
import { requestJson } from '../shared/http';

export interface PhoneRun {
  /** The scanned QR text (`…/m/login?id=…&code=…`)… */
  qrContent?: string;
  /** …or the user code typed instead (v1.1, `BCDF-GHJK`); it names no server, so `baseUrl` is needed. */
  userCode?: string;
  /** Demo user id to sign in as (ignored with `token`). */
  user: string;
  name?: string;
  /** An app JWT to use instead of minting one at the demo endpoint; needs `baseUrl`. */
  token?: string;
  /** Server origin (+ base path) the phone trusts; QRs naming another server are refused. Default (demo tokens only): taken from the QR. */
  baseUrl?: string;
  action: 'confirm' | 'cancel' | 'scan';
  log: (line: string) => void;
}

/** What a phone does with a login QR (or its typed user code): get an app token, scan, show who asks, then confirm or cancel. */
export async function runPhone(run: PhoneRun): Promise<void> {
  const baseUrl = serverOf(run);
  const token = run.token ?? (await demoToken(baseUrl, run.user, run.name));
  const client = createMobileClient({ baseUrl, token });

  const scanned = run.userCode !== undefined ? await client.scanUserCode(run.userCode) : await client.scan(run.qrContent as string);
  const { request } = scanned;
  run.log(`scanned: ${request.browser} on ${request.os} from ${request.ip} asks to log in (since ${request.createdAt})`);
  if (!request.sameNetwork) run.log('warning: that browser is not on the same network as this phone');
  if (run.action === 'scan') return;
  const answer = await client[run.action](scanned);
  run.log(`${answer.state}: login ${answer.id} (version ${answer.version})`);
}

/** The server the phone talks to: the one given, which a QR must name too; from the QR only with a demo token. */
function serverOf(run: PhoneRun): string {
  if (run.userCode !== undefined) {
    if (run.baseUrl === undefined) throw new Error(USER_CODE_NEEDS_BASE_URL);
    return normalBase(run.baseUrl);
  }
  const qrContent = run.qrContent ?? '';
  if (!parseLoginQr(qrContent)) throw new Error(`Not a login QR code: ${qrContent}`);
  // A real app token confirms logins as its user: sent to whatever server a QR names, a relayed
  // QR would let that server confirm its own login as this user. So the server is the one given.
  if (run.token !== undefined && run.baseUrl === undefined) throw new Error(TOKEN_NEEDS_BASE_URL);
  const qrBase = loginPageBase(qrContent);
  if (run.baseUrl !== undefined && qrBase !== normalBase(run.baseUrl)) {
    throw new Error(`Refused: this QR code points to ${qrBase}, not to ${normalBase(run.baseUrl)} (--base-url)`);
  }
  return run.baseUrl ?? qrBase;
}

export const USER_CODE_NEEDS_BASE_URL = 'A user code (--user-code) needs --base-url: unlike a QR it does not name its server';
export const TOKEN_NEEDS_BASE_URL = 'A real app token (--token or QRLOGIN_APP_TOKEN) needs --base-url: it goes only to the server you name, never to the one a QR names';

/** Origin + base path of a login QR URL (`https://host[/base]/m/login?…` → `https://host[/base]`). */
function loginPageBase(qrContent: string): string {
  const url = new URL(qrContent.trim());
  return url.origin + url.pathname.slice(0, -'/m/login'.length);
}

/** `https://Host:443/base/` → `https://host/base`, to compare with a QR's base. */
function normalBase(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(`Not a URL: ${baseUrl}`);
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/** An app token from the server's demo endpoint (DEMO on). */
export async function demoToken(baseUrl: string, userId: string, name?: string): Promise<string> {
  const body = { userId, name: name ?? userId.charAt(0).toUpperCase() + userId.slice(1) };
  const { token } = await requestJson<{ token: string }>((url, init) => fetch(url, init), baseUrl, { method: 'POST', path: '/api/demo/app-token', body });
  return token;
}
