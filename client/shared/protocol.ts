/**
 * The wire types of PROTOCOL.md as clients see them. Shared by the browser
 * SDK, the mobile SDK, the demo pages and the server's answers where they
 * share a shape; kept free of Node and DOM APIs.
 */
export type LoginState = 'pending' | 'scanned' | 'confirmed' | 'redeemed' | 'cancelled' | 'expired';

export const FINAL_STATES: readonly LoginState[] = ['redeemed', 'cancelled', 'expired'];

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

export const isFinal = (state: LoginState): boolean => FINAL_STATES.includes(state);
