/**
 * PROTOCOL.md's error codes as typed errors, so an app can write
 * `if (err instanceof ExpiredError)` instead of comparing strings.
 */
import { ERROR_CODES, type ErrorCode } from './protocol';

/** A protocol error code, or one the SDK makes up for an answer that never came or was not the protocol's. */
export type QrLoginErrorCode =
  | ErrorCode
  /** Not from the server: the request never got an answer (offline, DNS, refused, aborted). */
  | 'network_error'
  /** Not from the server: an answer that is not the protocol's JSON (a proxy's HTML page, say). */
  | 'bad_response';

export class QrLoginError extends Error {
  constructor(
    readonly code: QrLoginErrorCode,
    message: string,
    /** HTTP status, 0 when there was no answer. */
    readonly status = 0,
    /** Seconds to wait before trying again, from `Retry-After` (429/503). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** Worth trying the same request again later: nothing was changed on the server. */
  get retryable(): boolean {
    return this.code === 'network_error' || this.code === 'rate_limited' || this.code === 'unavailable' || this.status >= 500;
  }
}

export class InvalidRequestError extends QrLoginError {}
export class InvalidTokenError extends QrLoginError {}
export class InvalidCodeError extends QrLoginError {}
export class ForbiddenError extends QrLoginError {}
export class NotFoundError extends QrLoginError {}
export class AlreadyScannedError extends QrLoginError {}
export class InvalidStateError extends QrLoginError {}
export class AuthorizationPendingError extends QrLoginError {}
export class AccessDeniedError extends QrLoginError {}
export class AlreadyRedeemedError extends QrLoginError {}
export class ExpiredError extends QrLoginError {}
export class RateLimitedError extends QrLoginError {}
export class UnavailableError extends QrLoginError {}
export class NetworkError extends QrLoginError {}

type ErrorClass = new (code: QrLoginErrorCode, message: string, status?: number, retryAfterSeconds?: number) => QrLoginError;

const CLASSES: Partial<Record<QrLoginErrorCode, ErrorClass>> = {
  invalid_request: InvalidRequestError,
  invalid_token: InvalidTokenError,
  invalid_code: InvalidCodeError,
  forbidden: ForbiddenError,
  not_found: NotFoundError,
  already_scanned: AlreadyScannedError,
  invalid_state: InvalidStateError,
  authorization_pending: AuthorizationPendingError,
  access_denied: AccessDeniedError,
  already_redeemed: AlreadyRedeemedError,
  expired: ExpiredError,
  rate_limited: RateLimitedError,
  unavailable: UnavailableError,
  network_error: NetworkError,
};

const KNOWN = new Set<string>([...ERROR_CODES, 'network_error', 'bad_response']);

/** The typed error for a protocol `{error, message}` body (or a made-up code for a non-protocol answer). */
export function errorFor(code: string, message: string, status = 0, retryAfterSeconds?: number): QrLoginError {
  const known = (KNOWN.has(code) ? code : 'bad_response') as QrLoginErrorCode;
  const Class = CLASSES[known] ?? QrLoginError;
  return new Class(known, message, status, retryAfterSeconds);
}
