/**
 * qrlogin's public API, kept stable across releases: mount qrlogin in a Koa
 * app (see README "Library mode"), configure it, customise its hooks, and the
 * protocol's types. Everything else under server/ is internal and may change.
 */
export { createQrLogin, type QrLogin, type QrLoginHooks, type QrLoginOptions } from './app';
export type { QrLoginSettings, Jwks } from './options';
export type { QrLoginEvent, QrLoginEventName, QrLoginEventListener } from './events';
export { loadConfig, SETTINGS, ConfigError, type Config } from './config';
// The `store` option: the interface a site's own store implements, and the records it keeps.
export type { Store } from './session/store';
export type { SessionChange, SessionRecord } from './session/types';
export { MemoryStore } from './session/memory-store';
export { LoginError } from './errors';
export type { AppClaims, VerifyAppToken } from './auth/app-token';
export type { IssuedToken, SessionUser, Snapshot } from './session/types';
export { createLogger } from './log';
export {
  ERROR_CODES,
  FINAL_STATES,
  STATES,
  isFinal,
  type ClientToServerEvents,
  type CreatedLoginSession,
  type ErrorBody,
  type ErrorCode,
  type LoginRequestInfo,
  type LoginSnapshot,
  type LoginState,
  type LoginUser,
  type RedeemedLogin,
  type ScanAnswer,
  type ServerToClientEvents,
  type SignOutReason,
  type TransitionAnswer,
} from '../client/shared/protocol';
