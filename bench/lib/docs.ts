import { readFileSync, writeFileSync } from 'node:fs';
import type { Medians } from '../table';
import type { machine } from './report';

const START = '<!-- bench:start (written by npm run bench) -->';
const END = '<!-- bench:end -->';

const thousands = (n: number) => Math.round(n).toLocaleString('en-US');

/** The run's block of docs/BENCHMARKS.md: the table, where it ran, and what it means for capacity. */
function block(table: string, host: ReturnType<typeof machine>, date: string, seconds: number, runs: number, m: Medians): string {
  const lines = [
    START,
    `Recorded ${date.slice(0, 16).replace('T', ' ')} UTC: ${runs} runs in ${seconds} s on ${host.cpus} × ${host.cpuModel}, ` +
      `${host.memoryGiB} GiB, ${host.os}, Node ${host.node}; load average at the start ${host.loadAverageAtStart.join(' / ')}.`,
    '',
    table,
    '',
  ];
  if (m.memory) {
    const perGb = 1e9 / m.memory.rssPerSocketBytes;
    lines.push(
      `- **Waiting browsers per GB**: ${thousands(perGb)} (${(m.memory.rssPerSocketBytes / 1000).toFixed(1)} KB of RSS each, ` +
        `on top of a node's ${Math.round(m.memory.rssBaselineBytes / 1e6)} MB base; measured with ${thousands(m.memory.sockets)} ` +
        `sockets on one node${m.memory.sockets < m.memory.asked ? `, of ${thousands(m.memory.asked)} asked: the descriptor limit here is ${thousands(m.memory.descriptorLimit)}` : ''}).`,
    );
  }
  if (m.creation) {
    const perCore = 1000 / m.creation.nodeCpuMsPerCreation;
    lines.push(
      `- **Logins per second per core**: about ${thousands(perCore)} creations as the browser SDK asks for them ` +
        `(the browser draws the QR) per core of node CPU (${m.creation.nodeCpuMsPerCreation.toFixed(2)} ms each, all its threads; ` +
        `${m.creation.nodeCpuMsPerSvgCreation.toFixed(2)} ms with the SVG in the answer), plus ` +
        `${m.creation.redisCpuMsPerCreation.toFixed(2)} ms of Redis CPU. One node took ${thousands(m.creation.createPerSecond)}/s ` +
        `here (${Math.round(m.creation.ofHealthz * 100)} % of GET /healthz side by side; with the SVG ` +
        `${thousands(m.creation.createSvgPerSecond)}/s, ${Math.round(m.creation.svgOfHealthz * 100)} %) with the load generator, Redis ` +
        'and other work on the same two cores.',
    );
  }
  if (m.latency) {
    lines.push(
      `- **Push vs polling**: the browser holds the token ${Math.round(m.latency.pollingOverPush)}× sooner ` +
        `(${m.latency.push1Mean.toFixed(1)} ms vs ${Math.round(m.latency.pollingMean)} ms on average), and a waiting ` +
        'browser costs no request at all instead of one per second.',
    );
  }
  if (m.fanout) {
    const f = m.fanout;
    const loginsPerNodeCore = 1000 / f.servingCpuMsPerLogin;
    const loginsPerRedisCore = 1e6 / f.redisCpuUsPerLogin7;
    lines.push(
      `- **Nodes that take no part cost nothing**: an idle node spent ${(f.idleOverServing * 100).toFixed(1)} % of the serving node's ` +
        `CPU per login (${f.idleCpuMsPerLogin.toFixed(3)} ms vs ${f.servingCpuMsPerLogin.toFixed(2)} ms) and received ` +
        `${f.idleMessagesPerLogin.toFixed(2)} pub/sub messages per login; Redis's CPU per login was ${f.redis7Over1.toFixed(2)}× ` +
        `with 7 idle nodes what it was with 1 (${Math.round(f.redisCpuUsPerLogin7)} µs vs ${Math.round(f.redisCpuUsPerLogin1)} µs).`,
      `- **Logins per second for N nodes**: N × ${thousands(loginsPerNodeCore)} per node core (a whole login, QR included, ` +
        `${f.servingCpuMsPerLogin.toFixed(2)} ms of node CPU), until one Redis core is busy: about ${thousands(loginsPerRedisCore)} ` +
        `logins/s (${Math.round(f.redisCpuUsPerLogin7)} µs of Redis CPU each), reached at about ` +
        `${Math.max(1, Math.floor(loginsPerRedisCore / loginsPerNodeCore))} node cores. Past that, a Redis Cluster spreads sessions ` +
        'and their channels over its shards by slot (see "What it means for capacity").',
    );
  }
  lines.push(END);
  return lines.join('\n');
}

/** Replaces the run's block in `path` (between the markers) with this run. */
export function updateDoc(path: string, ...args: Parameters<typeof block>): void {
  const doc = readFileSync(path, 'utf8');
  const from = doc.indexOf(START);
  const to = doc.indexOf(END);
  if (from < 0 || to < from) throw new Error(`${path} has no ${START} … ${END} block`);
  writeFileSync(path, doc.slice(0, from) + block(...args) + doc.slice(to + END.length));
}
