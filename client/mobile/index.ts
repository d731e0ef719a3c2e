/**
 * qrlogin mobile SDK: scan, confirm and cancel a QR login from an app
 * (fetch-based: React Native, browsers, Node ≥ 18).
 */
export { createMobileClient, parseLoginQr, type LoginRef, type MobileClient, type MobileClientOptions, type ScannedLogin } from './client';
export * from '../shared/errors';
export type { ErrorCode, LinkedDevice, LoginRequestInfo, LoginState, ScanAnswer, TransitionAnswer, UserCodeScanAnswer } from '../shared/protocol';
export { formatUserCode, normalizeUserCode } from '../shared/protocol';
export type { FetchLike } from '../shared/http';
