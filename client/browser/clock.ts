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
