/** Library entry point: mount qrlogin in an existing Koa app (see README "Library mode"). */
export { createQrLogin, type QrLogin, type QrLoginHooks, type QrLoginOptions } from './app';
export { loadConfig, SETTINGS, ConfigError, type Config } from './config';
export { LoginError, type ErrorCode } from './errors';
export type { AppClaims, VerifyAppToken } from './auth/app-token';
export type { IssuedToken } from './auth/web-token';
export { createLogger } from './log';
export type { Store } from './store/store';
export { MemoryStore } from './store/memory';
export { RedisStore } from './store/redis';
export type { SessionRecord, SessionUser, Snapshot, State } from './session/types';
