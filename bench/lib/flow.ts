import type { Socket } from 'socket.io-client';
import { appToken, connectBrowser, waitForState } from '../../test/support/client';
import { json } from './http';

/**
 * One app token for the whole run: signing is not what is measured. Valid for
 * a day: on a loaded machine a run outlasts the test helper's 10 minutes.
 */
const PHONE = { authorization: `Bearer ${appToken('bench-user', { exp: Math.floor(Date.now() / 1000) + 24 * 3600 })}` };

export interface Session {
  id: string;
  secret: string;
  code: string;
}

export async function create(base: string): Promise<Session> {
  const res = await json(base, 'POST', '/api/login-sessions');
  if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
  const code = new URL(res.body.qr.content).searchParams.get('code') as string;
  return { id: res.body.id, secret: res.body.secret, code };
}

export async function phone(base: string, action: 'scan' | 'confirm', s: Session): Promise<void> {
  const res = await json(base, 'POST', `/api/mobile/${action}`, { body: { id: s.id, code: s.code }, headers: PHONE });
  if (res.status !== 200) throw new Error(`${action}: ${res.status} ${JSON.stringify(res.body)}`);
}

export const browserHeaders = (s: Session) => ({ 'x-login-secret': s.secret });

/** A browser socket of `s`, once it has received the current state. */
export async function openSocket(base: string, s: Session): Promise<Socket> {
  const socket = await connectBrowser(base, { id: s.id, secret: s.secret });
  await waitForState(socket);
  return socket;
}

/** A scanned session with its browser socket on `browserNode`, ready to be confirmed. */
export async function scannedWithSocket(browserNode: string, phoneNode: string): Promise<{ session: Session; socket: Socket }> {
  const session = await create(browserNode);
  const socket = await openSocket(browserNode, session);
  await phone(phoneNode, 'scan', session);
  await waitForState(socket, (s) => s.state === 'scanned');
  return { session, socket };
}

export function checkToken(reply: any, how: string): void {
  if (typeof reply?.token !== 'string') throw new Error(`${how}: no token: ${JSON.stringify(reply)}`);
}
