/**
 * qrlogin browser SDK: embed QR-code login in a web page.
 *
 *   import { createQrLogin, renderQr } from '/assets/qrlogin-browser.js';
 *   const login = createQrLogin({ baseUrl: location.origin, onQr: (qr) => renderQr(box, qr), onSuccess: ({ token }) => … });
 *   const watch = watchSession(token, { onSignedOut: ({ reason }) => … });
 */
export { createQrLogin, type Channel, type QrCode, type QrLoginHandle, type QrLoginOptions, type QrReason } from './login';
export { renderQr } from './render';
export { createHttpApi, type BrowserApi } from './api';
export { socketIoOpener, type LoginSocket, type OpenSocket, type SocketEvents, type SocketIoOptions } from './socket';
export { watchSession, type SessionWatch, type WatchSessionOptions } from './session';
export { realClock, backoffMs, type Clock } from './clock';
export * from '../shared/errors';
export * from '../shared/protocol';
