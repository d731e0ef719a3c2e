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

/** `POST /api/login-sessions` → 201. */
export interface CreatedLoginSession extends LoginSnapshot {
  secret: string;
  expiresIn: number;
  pollIntervalMs: number;
  qr: { content: string; svg: string };
}

/** The redeem answer (HTTP 200 body or the socket ack). */
export interface RedeemedLogin {
  token: string;
  tokenType: 'Bearer';
  expiresIn: number;
  user: LoginUser;
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

/** `POST /api/mobile/confirm` and `/cancel` → 200. */
export interface TransitionAnswer {
  id: string;
  state: LoginState;
  version: number;
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

/** Why a `/session` socket is signed out (v1.1). */
export type SignOutReason = 'revoked' | 'logout' | 'expired';

/** `/session`, server → browser (v1.1). */
export interface SessionServerToClientEvents {
  signed_out: (event: { sid: string; reason: SignOutReason }) => void;
}

/** `/session`, browser → server: nothing but the handshake (v1.1). */
export type SessionClientToServerEvents = Record<never, never>;

/** Every event a qrlogin server emits, for its typed `Server` (both namespaces). */
export type ServerToClientEvents = LoginServerToClientEvents & SessionServerToClientEvents;
/** Every event a qrlogin server listens to from browsers. */
export type ClientToServerEvents = LoginClientToServerEvents & SessionClientToServerEvents;

/** Node-to-node events over the Socket.IO adapter: a transition one node wrote, with when (epoch ms). */
export interface InterServerEvents {
  'qrlogin:state': (snapshot: LoginSnapshot, writtenAt: number) => void;
}

/** What a server keeps on each socket (`socket.data`; other nodes can fetch it, so never a secret). */
export interface SocketData {
  /** The client's address, by the TRUST_PROXY rules. */
  ip: string;
}
