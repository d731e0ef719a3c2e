import { readFileSync } from 'node:fs';

/** CPU time (user + system, ms) a process used so far, all its threads included (Linux /proc). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
  return ticks * (1000 / 100); // USER_HZ is 100 on Linux
}
