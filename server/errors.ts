/**
 * The protocol's error codes (PROTOCOL.md "Errors"). Code that refuses a
 * request throws a LoginError; the HTTP error middleware and the socket
 * `redeem` handler turn it into `{error, message}`. Anything else that is
 * thrown is a bug or an outage and is never shown to the client as-is.
 */
export const ERROR_STATUS = {
  invalid_request: 400,
  invalid_token: 401,
  invalid_code: 403,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  already_scanned: 409,
  invalid_state: 409,
  authorization_pending: 409,
  access_denied: 409,
  already_redeemed: 409,
  expired: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class LoginError extends Error {
  readonly status: number;
  /** Koa's convention: the message is safe to show to the client. */
  readonly expose = true;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'LoginError';
    this.status = ERROR_STATUS[code];
  }

  toJSON(): { error: ErrorCode; message: string } {
    return { error: this.code, message: this.message };
  }
}

/** The store could not be reached: answered as 503 unavailable. */
export class StoreUnavailableError extends Error {
  constructor(
    cause?: unknown,
    /** The command was sent and its reply lost (a timeout, a dropped connection): it may have run. */
    readonly mayHaveRun = false,
  ) {
    super('The session store cannot be reached', { cause });
    this.name = 'StoreUnavailableError';
  }
}

export function toLoginError(err: unknown): LoginError | null {
  if (err instanceof LoginError) return err;
  if (err instanceof StoreUnavailableError) return new LoginError('unavailable', 'The service is temporarily unavailable, try again');
  return null;
}
