import type { ErrorBody, ErrorCode } from '../client/shared/protocol';

export type { ErrorCode };

/**
 * A request refused by the protocol's rules (PROTOCOL.md "Errors"): code and
 * a message safe to show. Code that refuses a request throws one; the HTTP
 * layer (http/errors.ts) and the socket `redeem` ack turn it into
 * `{error, message}` — only they know statuses and headers. Anything else
 * that is thrown is a bug or an outage and is never shown to the client as-is.
 */
export class LoginError extends Error {
  /** Koa's convention: the message is safe to show to the client. */
  readonly expose = true;
  /** When to try again (`rate_limited`): the HTTP layer sends it as `Retry-After`. */
  readonly retryAfterSeconds?: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: { retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'LoginError';
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }

  toJSON(): ErrorBody {
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
