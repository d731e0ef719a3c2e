import { io, type Socket } from 'socket.io-client';
import { bearer, call, type Reply } from './client';

const signedOut = new WeakMap<Socket, any[]>();

/** Every `signed_out` event the socket received so far. */
export const signOutsOf = (socket: Socket): any[] => signedOut.get(socket) ?? [];

/**
 * A logged-in browser's socket on `/session` (PROTOCOL.md v1.1), resolved
 * once connected or rejected with the connect_error. No automatic reconnect:
 * tests reconnect on purpose.
 */
export function connectSession(base: string, auth: unknown): Promise<Socket> {
  const { origin, pathname } = new URL(base);
  const socket = io(`${origin}/session`, {
    path: `${pathname.replace(/\/+$/, '')}/socket.io`,
    auth: auth as object,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  const events: any[] = [];
  signedOut.set(socket, events);
  socket.on('signed_out', (event) => events.push(event));
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** Resolves with the `signed_out` event and the disconnect reason that follows it, in the order they came. */
export function signOutOf(socket: Socket): Promise<{ event: any; order: string[]; reason: string }> {
  const order: string[] = [];
  return new Promise((resolve) => {
    let event: any = signOutsOf(socket)[0];
    if (event) order.push('signed_out');
    socket.on('signed_out', (e) => {
      event = e;
      order.push('signed_out');
    });
    socket.once('disconnect', (reason) => {
      order.push('disconnect');
      resolve({ event, order, reason });
    });
  });
}

/** The message of the connect_error a `/session` connect with `auth` fails with. */
export async function sessionRefusal(base: string, auth: unknown): Promise<string> {
  try {
    const socket = await connectSession(base, auth);
    socket.close();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('the /session connect was accepted');
}

/** The phone's linked-devices calls. */
export const listDevices = (base: string, appJwt: string): Promise<Reply> => call(base, 'GET', '/api/mobile/devices', { headers: bearer(appJwt) });
export const signOutDevice = (base: string, appJwt: string, sid: string): Promise<Reply> =>
  call(base, 'DELETE', `/api/mobile/devices/${sid}`, { headers: bearer(appJwt) });
/** The browser's own calls with its web token. */
export const me = (base: string, webToken: string): Promise<Reply> => call(base, 'GET', '/api/me', { headers: bearer(webToken) });
export const logout = (base: string, webToken: string): Promise<Reply> => call(base, 'POST', '/api/logout', { headers: bearer(webToken) });
