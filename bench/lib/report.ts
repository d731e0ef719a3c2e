import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, type } from 'node:os';

export interface Row {
  figure: string;
  value: string;
  target?: string;
  /** undefined: a figure without a target. */
  met?: boolean;
}

export function printTable(rows: readonly Row[]): string {
  const header: Row = { figure: 'figure (median of runs)', value: 'value', target: 'target' };
  const cells = [header, ...rows].map((r) => [r.figure, r.value, r.target ?? '', r.met === undefined ? '' : r.met ? 'met' : 'MISSED']);
  const widths = [0, 1, 2, 3].map((c) => Math.max(...cells.map((row) => row[c]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(cells[0]!), rule, ...cells.slice(1).map(line)].join('\n');
}

export function machine() {
  const cpu = cpus();
  return {
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: type(),
    node: process.version,
    loadAverageAtStart: loadavg().map((l) => Number(l.toFixed(2))),
  };
}

export function writeResults(path: string, results: unknown): void {
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}
