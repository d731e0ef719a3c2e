import { QrLoginError } from '../shared/errors';

/** Time and chance, injected so the SDK's retry and fallback logic can be tested step by step. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** In [0, 1): spreads retries of many tabs apart (jitter). */
  random(): number;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  random: () => Math.random(),
};

/**
 * Exponential backoff with jitter: attempt 1 waits about `baseMs`, each next
 * one twice as long, never more than `maxMs`, and never less than the
 * server's Retry-After.
 */
export function backoffMs(attempt: number, clock: Clock, retryAfterSeconds?: number, baseMs = 1000, maxMs = 30_000): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(exponential * (0.5 + clock.random() / 2));
  return Math.max(jittered, (retryAfterSeconds ?? 0) * 1000);
}

export const sleep = (clock: Clock, ms: number): Promise<void> => new Promise((resolve) => clock.setTimeout(resolve, ms));

/**
 * Runs `call` until it succeeds, fails for good (not `retryable`), fails
 * `maxAttempts` times, or is no longer wanted; waits with backoff between tries.
 */
export async function withRetries<T>(
  call: () => Promise<T>,
  { clock, maxAttempts, stillWanted }: { clock: Clock; maxAttempts: number; stillWanted: () => boolean },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const retryable = err instanceof QrLoginError && err.retryable;
      if (!retryable || attempt >= maxAttempts || !stillWanted()) throw err;
      await sleep(clock, backoffMs(attempt, clock, err.retryAfterSeconds));
    }
  }
}
