/**
 * PROTOCOL.md's error codes as typed errors, so an app can write
 * `if (err instanceof ExpiredError)` instead of comparing strings.
 */
export type ErrorCode =
  | 'invalid_request'
  | 'invalid_token'
  | 'invalid_code'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'already_scanned'
  | 'invalid_state'
  | 'authorization_pending'
  | 'access_denied'
  | 'already_redeemed'
  | 'expired'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'unavailable'
  /** Not from the server: the request never got an answer (offline, DNS, refused, aborted). */
  | 'network_error'
  /** Not from the server: an answer that is not the protocol's JSON (a proxy's HTML page, say). */
  | 'bad_response';

export class QrLoginError extends Error {
  constructor(
    readonly code: ErrorCode,
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

type ErrorClass = new (code: ErrorCode, message: string, status?: number, retryAfterSeconds?: number) => QrLoginError;

const CLASSES: Partial<Record<ErrorCode, ErrorClass>> = {
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

const KNOWN = new Set<string>([...Object.keys(CLASSES), 'method_not_allowed', 'payload_too_large', 'unsupported_media_type', 'bad_response']);

/** The typed error for a protocol `{error, message}` body (or a made-up code for a non-protocol answer). */
export function errorFor(code: string, message: string, status = 0, retryAfterSeconds?: number): QrLoginError {
  const known = (KNOWN.has(code) ? code : 'bad_response') as ErrorCode;
  const Class = CLASSES[known] ?? QrLoginError;
  return new Class(known, message, status, retryAfterSeconds);
}
