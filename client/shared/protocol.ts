/**
 * PROTOCOL.md as types: the one source of states, error codes, answers and
 * Socket.IO events for the server, the SDKs, the demo pages and the tests.
 * Imports nothing and uses no Node or DOM API, so every side can bundle it.
 */

export const STATES = ['pending', 'scanned', 'confirmed', 'redeemed', 'cancelled', 'expired'] as const;
export type LoginState = (typeof STATES)[number];

/** States a session never leaves. */
export const FINAL_STATES: readonly LoginState[] = ['redeemed', 'cancelled', 'expired'];

export const isFinal = (state: LoginState): boolean => FINAL_STATES.includes(state);

/**
 * Every `error` a qrlogin server answers (PROTOCOL.md "Errors"), in one list.
 * `internal_error` is the 500 of a bug: never planned, but clients meet it.
 */
export const ERROR_CODES = [
  'invalid_request',
  'invalid_token',
  'invalid_code',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'already_scanned',
  'invalid_state',
  'authorization_pending',
  'access_denied',
  'already_redeemed',
  'expired',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'unavailable',
  'internal_error',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** An error answer: an HTTP body, or a socket ack. */
export interface ErrorBody {
  error: ErrorCode;
  message: string;
}

/** The user who scanned, as the browser is shown them. */
export interface LoginUser {
  id: string;
  displayName: string;
  avatarUrl?: string;
}

/** A poll answer or socket `state` event. */
export interface LoginSnapshot {
  id: string;
  state: LoginState;
  version: number;
  expiresAt: string;
  user?: LoginUser;
}

/**
 * The body of `POST /api/login-sessions`: optional, and so is each field.
 * `svg: false` asks for an answer without `qr.svg`, for a browser that draws
 * the QR itself (an addition of this server, README "Protocol additions").
 */
export interface CreateLoginSessionRequest {
  svg?: boolean;
}

/** `POST /api/login-sessions` → 201. */
export interface CreatedLoginSession extends LoginSnapshot {
  secret: string;
  expiresIn: number;
  pollIntervalMs: number;
  /** `svg` is absent when the create's body had `"svg": false` (an addition of this server, README "Protocol additions"). */
  qr: { content: string; svg?: string };
  /** (v1.1) The typed fallback for a phone that cannot scan, `BCDF-GHJK`; absent from servers before v1.1. */
  userCode?: string;
}

/** The redeem answer (HTTP 200 body or the socket ack). */
export interface RedeemedLogin {
  token: string;
  tokenType: 'Bearer';
  expiresIn: number;
  user: LoginUser;
  /** (v1.1) The token's `sid`: this browser among the user's linked devices. */
  sid: string;
}

/** What the phone is shown of the browser that asks to log in. */
export interface LoginRequestInfo {
  ip: string;
  userAgent: string;
  browser: string;
  os: string;
  createdAt: string;
  sameNetwork: boolean;
}

/** `POST /api/mobile/scan` → 200. */
export interface ScanAnswer {
  id: string;
  state: LoginState;
  version: number;
  expiresAt: string;
  request: LoginRequestInfo;
}

/** `POST /api/mobile/scan` with `{userCode}` → 200 (v1.1): also the session's code, for confirm and cancel. */
export interface UserCodeScanAnswer extends ScanAnswer {
  code: string;
}

/**
 * (v1.1) The typed login code (`userCode`, RFC 8628 §6.1), for a phone that
 * cannot scan: 8 letters without vowels (no words, no 0/O or 1/I to confuse),
 * shown as two groups of four.
 */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const USER_CODE_LENGTH = 8;
const USER_CODE = new RegExp(`^[${USER_CODE_ALPHABET}]{${USER_CODE_LENGTH}}$`);

/** The canonical form (8 upper-case letters) of what a user typed: any case, spaces and dashes ignored; null when it cannot be one. */
export function normalizeUserCode(typed: string): string | null {
  const canonical = typed.replace(/[\s-]+/g, '').toUpperCase();
  return USER_CODE.test(canonical) ? canonical : null;
}

/** `BCDFGHJK` → `BCDF-GHJK`, as shown to the user. */
export function formatUserCode(canonical: string): string {
  const half = USER_CODE_LENGTH / 2;
  return `${canonical.slice(0, half)}-${canonical.slice(half)}`;
}

/** `POST /api/mobile/confirm` and `/cancel` → 200. */
export interface TransitionAnswer {
  id: string;
  state: LoginState;
  version: number;
}

/** (v1.1) A browser the user is logged in on, as `GET /api/mobile/devices` lists it. */
export interface LinkedDevice {
  /** The web token's `sid`: what `DELETE /api/mobile/devices/:sid` takes. */
  sid: string;
  browser: string;
  os: string;
  ip: string;
  createdAt: string;
  expiresAt: string;
}

/** `GET /api/mobile/devices` → 200: newest first (v1.1). */
export interface DevicesAnswer {
  devices: LinkedDevice[];
}

/** `GET /api/me` → 200 (`sid` since v1.1). */
export interface MeAnswer {
  user: { id: string; displayName: string };
  sid: string;
}

// --- Socket.IO ---------------------------------------------------------------

/** `auth` of a `/login` socket. */
export interface LoginSocketAuth {
  id: string;
  secret: string;
}

/** `/login`, server → browser. */
export interface LoginServerToClientEvents {
  state: (snapshot: LoginSnapshot) => void;
}

/** `/login`, browser → server. */
export interface LoginClientToServerEvents {
  redeem: (ack: (answer: RedeemedLogin | ErrorBody) => void) => void;
}

/** Why a `/session` socket is signed out (v1.1): from the phone, by its own logout, or its token ran out. */
export const SIGN_OUT_REASONS = ['revoked', 'logout', 'expired'] as const;
export type SignOutReason = (typeof SIGN_OUT_REASONS)[number];

/** `auth` of a `/session` socket (v1.1). */
export interface SessionSocketAuth {
  token: string;
}

/** The `/session` namespace's `signed_out` event (v1.1). */
export interface SignedOutEvent {
  sid: string;
  reason: SignOutReason;
}

/** `/session`, server → browser (v1.1). */
export interface SessionServerToClientEvents {
  signed_out: (event: SignedOutEvent) => void;
}

/** `/session`, browser → server: nothing but the handshake (v1.1). */
export type SessionClientToServerEvents = Record<never, never>;

/** Every event a qrlogin server emits, for its typed `Server` (both namespaces). */
export type ServerToClientEvents = LoginServerToClientEvents & SessionServerToClientEvents;
/** Every event a qrlogin server listens to from browsers. */
export type ClientToServerEvents = LoginClientToServerEvents & SessionClientToServerEvents;

/**
 * Node-to-node events over a Socket.IO adapter: none. Nodes tell each other
 * of changes on per-session Redis channels (server/realtime/fanout.ts), heard
 * only by the nodes that wait on that session, never by broadcasts.
 */
export type InterServerEvents = Record<never, never>;

/** What a server keeps on each socket (`socket.data`; other nodes can fetch it, so never a secret). */
export interface SocketData {
  /** The client's address, by the TRUST_PROXY rules. */
  ip: string;
}
