/** What the soak counts, and its one-line summary. */
import type { FaultEvent } from './chaos';
import { percentile } from './stats';

export interface Tally {
  started: number;
  lost: number;
  /** A token answered for two logins, or a repeat redeem answered another token than the first. */
  duplicates: number;
  /** A token whose user or session is not the login's. */
  misdelivered: number;
  /** A repeat redeem within the window that did not get the token again. */
  redeliveryFailures: number;
  /** Redeems whose first try got no answer and that got the token on a retry. */
  redeemsAnsweredOnRetry: number;
  reconnects: number;
  retries: number;
  /** Times a browser had to reconnect elsewhere instead of being pushed `confirmed` in time (allowed; counted). */
  pushFallbacks: number;
  /** The longest a node took to answer 503 (its Redis away): "answers 503 fast, never hangs". */
  slowest503Ms: number;
  errors: string[];
}

export const emptyTally = (): Tally => ({
  started: 0,
  lost: 0,
  duplicates: 0,
  misdelivered: 0,
  redeliveryFailures: 0,
  redeemsAnsweredOnRetry: 0,
  reconnects: 0,
  retries: 0,
  pushFallbacks: 0,
  slowest503Ms: 0,
  errors: [],
});

/** One completed login, with when its browser saw what (epoch ms). */
export interface LoginRecord {
  n: number;
  started: number;
  /** The step it is at, for the error of a login that never finished. */
  step: string;
  browser?: { close(): void };
  scannedSeenAt?: number;
  confirmedSeenAt?: number;
  /** Whether `confirmed` came pushed on an open socket (else re-read on a reconnect). */
  confirmedPushed?: boolean;
  completedAt?: number;
}

const ms = (samples: number[], p: number): string => (samples.length ? String(Math.round(percentile(samples, p))) : '-');

/**
 * The summary line, and whether the run passed: no login lost, duplicated or
 * misdelivered, every repeat redeem answered the same token, every started
 * login completed. "Across a Redis restart": browsers that had seen `scanned`
 * before Redis was killed and saw `confirmed` after it was back.
 */
export function summarize(
  tally: Tally,
  records: LoginRecord[],
  events: FaultEvent[],
  elapsedSeconds: number,
  /** Re-deliveries the nodes logged: one per login is the soak's own repeat; the rest answered a redeem whose first answer was lost. */
  redeliveriesLogged: number,
): { line: string; ok: boolean } {
  const durations = records.map((r) => (r.completedAt ?? r.started) - r.started);
  const outages = events.filter((e) => e.fault === 'redis-killed');
  const across = records.filter((r) => outages.some((o) => r.scannedSeenAt !== undefined && r.scannedSeenAt < o.at && (r.confirmedSeenAt ?? 0) > o.backAt));
  const faults = ['redis-connections-killed', 'node-killed', 'node-frozen', 'redis-killed']
    .map((fault) => `${fault}=${events.filter((e) => e.fault === fault).length}`)
    .join(' ');
  const line =
    `logins=${tally.started} completed=${records.length} lost=${tally.lost} duplicate=${tally.duplicates} misdelivered=${tally.misdelivered} ` +
    `redelivery_failures=${tally.redeliveryFailures} redeems_answered_on_retry=${tally.redeemsAnsweredOnRetry} ` +
    `redelivered_after_a_lost_answer=${Math.max(0, redeliveriesLogged - records.length)} ` +
    `waiting_across_redis_restart=${across.length} (pushed=${across.filter((r) => r.confirmedPushed).length}) ` +
    `${faults} reconnects=${tally.reconnects} retries=${tally.retries} push_fallbacks=${tally.pushFallbacks} slowest_503_ms=${Math.round(tally.slowest503Ms)} ` +
    `login_ms_p50=${ms(durations, 50)} login_ms_p99=${ms(durations, 99)} elapsed_s=${elapsedSeconds.toFixed(1)}`;
  const ok =
    tally.lost === 0 && tally.duplicates === 0 && tally.misdelivered === 0 && tally.redeliveryFailures === 0 && records.length === tally.started;
  return { line, ok };
}
