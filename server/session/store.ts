import type { SessionChange, SessionRecord } from './types';

/**
 * Where login sessions live. Two implementations pass the same conformance
 * suite (test/store.conformance.ts): RedisStore for production and
 * MemoryStore for a single development process.
 *
 * The state machine's rules live in session/rules.ts; a store only offers an
 * atomic compare-and-set on `version`, so that of racing transitions exactly
 * one wins (the others re-read and see the new state).
 */
/**
 * A cap on creations per client (RATE_LIMIT_CREATE_PER_IP), for a store that
 * counts it in the same atomic write as the session (`countsCreations`):
 * `points` creations per fixed window of `windowMs` from the first, under `key`.
 */
export interface CreationQuota {
  key: string;
  points: number;
  windowMs: number;
}

/** A creation refused by its quota: nothing was saved; the window ends in `retryAfterMs`. */
export interface OverQuota {
  retryAfterMs: number;
}

export interface Store {
  /**
   * Saves a new session. It reads as `expired` from `expiresAt` on and is forgotten some time after.
   * Its `userCode` is claimed atomically until `expiresAt`: `user_code_taken` (and nothing saved)
   * when another live session holds it, so the caller draws another. An id that exists throws.
   * With a `quota` (only for a store that `countsCreations`), the creation is counted first,
   * and over the quota nothing is saved.
   */
  create(record: SessionRecord, quota?: CreationQuota): Promise<'ok' | 'user_code_taken' | OverQuota>;
  /**
   * True when create() counts a `quota` itself, in the session's own write (RedisStore on
   * one Redis): the creation limit then costs no command of its own. Otherwise the caller
   * counts creations before it creates.
   */
  readonly countsCreations?: boolean;
  /**
   * The session, with `state: 'expired'` (and version + 1) once its time ran
   * out; null when unknown. `sealedAnswer` is there while its window lasts.
   */
  find(id: string): Promise<SessionRecord | null>;
  /** The session whose `userCode` (canonical form) this is, whatever its state, until its `expiresAt`; then, or when none, null. */
  findByUserCode(userCode: string): Promise<SessionRecord | null>;
  /**
   * Applies `change` and bumps `version` by one, only if the session is still
   * at `expectedVersion` and has not expired. `conflict` means another change
   * (or expiry) came first: re-read and decide again. A change's
   * `keepSealedAnswer` is stored in the same atomic step and read back as
   * `sealedAnswer` for its `forMs`, then forgotten.
   */
  update(id: string, expectedVersion: number, change: SessionChange): Promise<'ok' | 'conflict' | 'gone'>;
  /** Resolves when the store answers; rejects with StoreUnavailableError otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** How long a finished or expired session stays readable (answers 410/409 instead of 404). */
export const DEFAULT_RETENTION_MS = 5 * 60_000;
