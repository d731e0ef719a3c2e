import { emptyTally, summarize, type LoginRecord } from '../bench/lib/soak-tally';
import type { FaultEvent } from '../bench/lib/chaos';

/** The chaos soak's verdict and its "waiting across a Redis restart" count (bench/lib/soak-tally.ts). */
describe('the soak summary', () => {
  const outage: FaultEvent = { fault: 'redis-killed', at: 1000, backAt: 2000, detail: '' };
  const login = (n: number, scannedSeenAt: number, confirmedSeenAt: number, confirmedPushed: boolean): LoginRecord => ({
    n,
    started: 0,
    step: 'done',
    scannedSeenAt,
    confirmedSeenAt,
    confirmedPushed,
    completedAt: confirmedSeenAt + 10,
  });

  test('counts browsers that saw scanned before Redis died and confirmed after it was back, and how', () => {
    const records = [
      login(1, 900, 2100, true), // across, pushed
      login(2, 900, 2500, false), // across, by a reconnect's re-read
      login(3, 1100, 2100, true), // scanned during the outage: not waiting across it
      login(4, 500, 1900, true), // confirmed before Redis was back
    ];
    const tally = { ...emptyTally(), started: 4 };
    const { line, ok } = summarize(tally, records, [outage], 3, 4);
    expect(line).toContain('waiting_across_redis_restart=2 (pushed=1)');
    expect(line).toContain('redis-killed=1 ');
    expect(line).toContain('completed=4 lost=0');
    expect(line).toContain('redelivered_after_a_lost_answer=0');
    expect(ok).toBe(true);
  });

  test('fails on any lost, duplicate, misdelivered or unfinished login, or a failed re-delivery', () => {
    const records = [login(1, 0, 10, true)];
    const pass = { ...emptyTally(), started: 1 };
    expect(summarize(pass, records, [], 1, 3).ok).toBe(true);
    expect(summarize(pass, records, [], 1, 3).line).toContain('redelivered_after_a_lost_answer=2');
    for (const bad of [{ lost: 1 }, { duplicates: 1 }, { misdelivered: 1 }, { redeliveryFailures: 1 }, { started: 2 }]) {
      expect(summarize({ ...pass, ...bad }, records, [], 1, 1).ok).toBe(false);
    }
  });
});
