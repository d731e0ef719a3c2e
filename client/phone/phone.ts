import { createMobileClient, parseLoginQr } from '../mobile';
import { requestJson } from '../shared/http';

export interface PhoneRun {
  /** The scanned QR text (`…/m/login?id=…&code=…`). */
  qrContent: string;
  /** Demo user id to sign in as (ignored with `token`). */
  user: string;
  name?: string;
  /** An app JWT to use instead of minting one at the demo endpoint. */
  token?: string;
  /** Server origin (+ base path); default: taken from the QR. */
  baseUrl?: string;
  action: 'confirm' | 'cancel' | 'scan';
  log: (line: string) => void;
}

/** What a phone does with a login QR: get an app token, scan, show who asks, then confirm or cancel. */
export async function runPhone(run: PhoneRun): Promise<void> {
  const ref = parseLoginQr(run.qrContent);
  if (!ref) throw new Error(`Not a login QR code: ${run.qrContent}`);
  const baseUrl = run.baseUrl ?? run.qrContent.slice(0, run.qrContent.indexOf('/m/login'));
  const token = run.token ?? (await demoToken(baseUrl, run.user, run.name));
  const client = createMobileClient({ baseUrl, token });

  const scanned = await client.scan(run.qrContent);
  const { request } = scanned;
  run.log(`scanned: ${request.browser} on ${request.os} from ${request.ip} asks to log in (since ${request.createdAt})`);
  if (!request.sameNetwork) run.log('warning: that browser is not on the same network as this phone');
  if (run.action === 'scan') return;
  const answer = await client[run.action](scanned);
  run.log(`${answer.state}: login ${answer.id} (version ${answer.version})`);
}

/** An app token from the server's demo endpoint (DEMO on). */
async function demoToken(baseUrl: string, userId: string, name?: string): Promise<string> {
  const body = { userId, name: name ?? userId.charAt(0).toUpperCase() + userId.slice(1) };
  const { token } = await requestJson<{ token: string }>((url, init) => fetch(url, init), baseUrl, { method: 'POST', path: '/api/demo/app-token', body });
  return token;
}
