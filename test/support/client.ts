import jwt from 'jsonwebtoken';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { TEST_APP_SECRET } from './server';
import { waitFor } from './wait';

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A JSON request against a test server; `body` is sent as JSON unless it is a string. */
export async function call<T = any>(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...options.headers };
  let payload: string | undefined;
  if (options.body !== undefined) {
    payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + path, { method, headers, body: payload });
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON (images, pages): keep the text
  }
  return { status: res.status, body, headers: res.headers };
}

/** An app JWT as the mobile app would hold it. */
export function appToken(userId: string, claims: Record<string, unknown> = {}, secret = TEST_APP_SECRET): string {
  const exp = Math.floor(Date.now() / 1000) + 600;
  return jwt.sign({ name: userId.toUpperCase(), exp, ...claims }, secret, { algorithm: 'HS256', subject: userId });
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export interface CreatedLogin {
  id: string;
  secret: string;
  code: string;
  version: number;
  qr: { content: string; svg: string };
  expiresAt: string;
  /** (v1.1) `BCDF-GHJK`. */
  userCode: string;
}

export async function createLogin(base: string, headers: Record<string, string> = {}): Promise<CreatedLogin> {
  const res = await call(base, 'POST', '/api/login-sessions', { headers });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  const code = new URL(res.body.qr.content).searchParams.get('code') as string;
  return { ...res.body, code };
}

export const mobile = (base: string, action: 'scan' | 'confirm' | 'cancel', userId: string, body: unknown) =>
  call(base, 'POST', `/api/mobile/${action}`, { body, headers: bearer(appToken(userId)) });

/** The browser's proof of ownership of a login. */
export const secretHeader = (login: { secret: string }) => ({ 'x-login-secret': login.secret });

/** The session as its browser reads it (GET with the secret); fails unless 200. */
export async function readSession(base: string, login: { id: string; secret: string }): Promise<any> {
  const res = await call(base, 'GET', `/api/login-sessions/${login.id}`, { headers: secretHeader(login) });
  if (res.status !== 200) throw new Error(`read failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Browser-side calls on one login: redeem and give up (DELETE). */
export const redeemHttp = (base: string, login: { id: string; secret: string }) =>
  call(base, 'POST', `/api/login-sessions/${login.id}/redeem`, { headers: secretHeader(login) });
export const abandonHttp = (base: string, login: { id: string; secret: string }) =>
  call(base, 'DELETE', `/api/login-sessions/${login.id}`, { headers: secretHeader(login) });

/** A login scanned by `userId` (state scanned, version 2). */
export async function scannedLogin(base: string, userId = 'ana'): Promise<CreatedLogin> {
  const login = await createLogin(base);
  const res = await mobile(base, 'scan', userId, { id: login.id, code: login.code });
  if (res.status !== 200) throw new Error(`scan failed: ${res.status} ${JSON.stringify(res.body)}`);
  return login;
}

/** A login scanned and confirmed by `userId` (state confirmed, version 3), ready to redeem. */
export async function confirmedLogin(base: string, userId = 'ana'): Promise<CreatedLogin> {
  const login = await scannedLogin(base, userId);
  const res = await mobile(base, 'confirm', userId, { id: login.id, code: login.code });
  if (res.status !== 200) throw new Error(`confirm failed: ${res.status} ${JSON.stringify(res.body)}`);
  return login;
}

/**
 * Closes browser sockets and waits until the server has seen them go: a
 * polling socket's last requests are then answered, not cut off by a server
 * stopping right after (which makes the client retry after jest tore down).
 */
export async function closeBrowsers(sockets: Socket[], server: { io: { of(nsp: string): { sockets: Map<string, unknown> } } }): Promise<void> {
  for (const socket of sockets.splice(0)) socket.close();
  await waitFor(() => server.io.of('/login').sockets.size === 0);
}

const received = new WeakMap<Socket, any[]>();

/** Every `state` event the socket received so far, oldest first. */
export const statesOf = (socket: Socket): any[] => received.get(socket) ?? [];

/**
 * A browser socket on `/login`, resolved once connected (or rejected with the
 * connect_error). A `base` with a path (library mode, e.g. `http://host/auth`)
 * uses that path's socket.io endpoint (`/auth/socket.io`). `extra` adds client
 * options (e.g. `extraHeaders`).
 */
export function connectBrowser(
  base: string,
  auth: unknown,
  transports: string[] = ['websocket'],
  extra: Partial<ManagerOptions & SocketOptions> = {},
): Promise<Socket> {
  const { origin, pathname } = new URL(base);
  const path = `${pathname.replace(/\/+$/, '')}/socket.io`;
  const socket = io(`${origin}/login`, { path, auth: auth as object, transports, reconnection: false, forceNew: true, ...extra });
  const states: any[] = [];
  received.set(socket, states);
  socket.on('state', (s) => states.push(s));
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** Resolves with the first `state` event (already received or coming) that matches `predicate`. */
export function waitForState(socket: Socket, predicate: (s: any) => boolean = () => true, timeoutMs = 5000): Promise<any> {
  const seen = statesOf(socket).find(predicate);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off('state', onState);
      reject(new Error('no matching state event'));
    }, timeoutMs);
    const onState = (s: any) => {
      if (!predicate(s)) return;
      clearTimeout(timer);
      socket.off('state', onState);
      resolve(s);
    };
    socket.on('state', onState);
  });
}

/** The browser's HTTP redeem (PROTOCOL.md `POST /api/login-sessions/:id/redeem`). */
export const redeemOverHttp = (base: string, login: { id: string; secret: string }) =>
  call(base, 'POST', `/api/login-sessions/${login.id}/redeem`, { headers: { 'x-login-secret': login.secret } });

/** Resolves with the reason of the socket's next disconnect. */
export const nextDisconnect = (socket: Socket): Promise<string> =>
  new Promise((resolve) => socket.once('disconnect', (reason) => resolve(reason)));

/**
 * A whole login over HTTP: create, scan (with the QR content), confirm and
 * redeem, with the given app token. `base` may include a base path (library
 * mode). Resolves the created login and the redeem answer; throws on any
 * unexpected status.
 */
export async function loginOverHttp(base: string, token: string): Promise<{ login: CreatedLogin; redeemed: any }> {
  const login = await createLogin(base);
  const expectOk = (step: string, reply: Reply) => {
    if (reply.status !== 200) throw new Error(`${step} failed: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body;
  };
  expectOk('scan', await call(base, 'POST', '/api/mobile/scan', { body: { qr: login.qr.content }, headers: bearer(token) }));
  expectOk('confirm', await call(base, 'POST', '/api/mobile/confirm', { body: { id: login.id, code: login.code }, headers: bearer(token) }));
  const redeemed = expectOk('redeem', await redeemOverHttp(base, login));
  return { login, redeemed };
}
