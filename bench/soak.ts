/**
 * `npm run soak [-- --logins N --concurrency C]`: node processes on one real
 * Redis, N complete logins with the browser and the phone on random nodes,
 * clients behaving as real ones behind a load balancer (a call that gets no
 * answer or a 503 goes again to another node; a socket that drops or cannot
 * connect connects elsewhere), some browsers reconnecting mid-flow.
 *
 * Plain: two nodes, every Redis connection killed once halfway.
 * `--chaos`: three nodes on Redis with AOF (`appendfsync always`), and in
 * turn, each at least once however soon the logins finish: Redis connections
 * killed, a node SIGKILLed and restarted, a node frozen (SIGSTOP) longer than
 * a client waits, Redis SIGKILLed and restarted from its AOF.
 *
 * Every login's browser redeems (socket or HTTP) and then once more over HTTP
 * on a random node: both answers must be the same token (PROTOCOL.md v1.1).
 * Prints one summary line and exits non-zero on any lost, duplicate or
 * misdelivered login, any failed re-delivery, or a fault not thrown. Not part
 * of `npm test` (.ci/run runs a short chaos form).
 */
import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { appToken, type CreatedLogin } from '../test/support/client';
import { TEST_WEB_SECRET } from '../test/support/server';
import { callViaBalancer, request, sleep, viaBalancer, worthRetrying, type CallResult, type RetryPolicy } from './lib/balancer';
import { ChaosCluster } from './lib/chaos';
import { SoakBrowser } from './lib/soak-browser';
import { emptyTally, summarize, type LoginRecord, type Tally } from './lib/soak-tally';

interface Options {
  chaos: boolean;
  logins: number;
  concurrency: number;
  nodes: number;
  /** Share of browsers that drop their socket after the scan and reconnect to a random node. */
  reconnectShare: number;
  /** A client's limit for one call or socket ack; a frozen node is frozen longer than this. */
  clientTimeoutMs: number;
  freezeMs: number;
  /** Pause between two faults. */
  gapMs: number;
  /** Longest phone "think time" before the scan and before the confirm. */
  thinkMs: number;
}

function parseArgs(argv: string[]): Options {
  const chaos = argv.includes('--chaos');
  const value = (name: string, fallback: number) => {
    const i = argv.indexOf(`--${name}`);
    const n = i >= 0 ? Number(argv[i + 1]) : fallback;
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number`);
    return n;
  };
  const clientTimeoutMs = value('client-timeout-ms', 3000);
  return {
    chaos,
    logins: value('logins', chaos ? 1000 : 2000),
    concurrency: value('concurrency', chaos ? 30 : 40),
    nodes: value('nodes', chaos ? 3 : 2),
    reconnectShare: value('reconnect-share', 0.2),
    clientTimeoutMs,
    freezeMs: value('freeze-ms', clientTimeoutMs * 2),
    gapMs: value('gap-ms', 2500),
    thinkMs: value('think-ms', chaos ? 400 : 0),
  };
}

interface Context {
  options: Options;
  cluster: ChaosCluster;
  policy: RetryPolicy;
  tally: Tally;
  /** Every token answered so far, to the login it was answered for. */
  tokens: Map<string, string>;
}

const think = (options: Options) => (options.thinkMs ? sleep(Math.random() * options.thinkMs) : Promise.resolve());
/** How long a browser waits for a pushed `confirmed` before it reconnects elsewhere (a frozen node pushes nothing). */
const PUSH_WAIT_MS = 8000;

/**
 * The browser's redeem: over its socket or HTTP at random; when no answer
 * comes (a node killed or frozen, its Redis away), again over HTTP through the
 * balancer, as the browser SDK does. Counts redeems answered only on a retry.
 */
async function redeem(ctx: Context, login: CreatedLogin, browser: SoakBrowser): Promise<CallResult> {
  let missed = false;
  if (Math.random() < 0.5 && browser.socket?.connected) {
    const res = await browser.redeemOverSocket();
    if (!worthRetrying(res)) return res;
    missed = true;
    ctx.tally.retries++;
  }
  const policy = { ...ctx.policy, onRetry: (why: string, ms: number) => ((missed = true), ctx.policy.onRetry?.(why, ms)) };
  const headers = { 'x-login-secret': login.secret };
  const res = await viaBalancer(ctx.cluster, policy, (node) =>
    request(node, 'POST', `/api/login-sessions/${login.id}/redeem`, { headers, timeoutMs: policy.timeoutMs }),
  );
  if (res.status === 200 && missed) ctx.tally.redeemsAnsweredOnRetry++;
  return res;
}

/** What a node logs when it answers a repeat redeem the same token (server/app.ts). */
const REDELIVERY_LOG = 'redeem answered again with the same token';

/** The longest one login may take, faults and all; past it the login counts as lost (nothing in the soak may hang). */
const LOGIN_DEADLINE_MS = 120_000;

/** One login under a deadline: lost, with the step it was at, if it does not finish in time. */
async function oneLoginInTime(n: number, ctx: Context): Promise<LoginRecord> {
  const record: LoginRecord = { n, started: Date.now(), step: 'start' };
  let timer: NodeJS.Timeout | undefined;
  const overdue = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still at "${record.step}" after ${LOGIN_DEADLINE_MS} ms`)), LOGIN_DEADLINE_MS);
  });
  try {
    return await Promise.race([oneLogin(record, ctx), overdue]);
  } finally {
    clearTimeout(timer);
    record.browser?.close();
  }
}

async function oneLogin(record: LoginRecord, ctx: Context): Promise<LoginRecord> {
  const { options, cluster, policy, tally } = ctx;
  const { n } = record;
  const userId = `soak-user-${n}`;
  const phone = { authorization: `Bearer ${appToken(userId)}` };
  const step = (name: string) => (record.step = name);
  step('create');
  const created = await callViaBalancer(cluster, policy, 'POST', '/api/login-sessions');
  if (created.status !== 201) throw new Error(`create answered ${created.status} ${JSON.stringify(created.body)}`);
  const login = created.body as CreatedLogin;
  login.code = new URL(login.qr.content).searchParams.get('code') as string;
  const browser = new SoakBrowser(login, cluster, options.clientTimeoutMs, () => tally.retries++);
  record.browser = browser;
  try {
    step('socket connect');
    if (!(await browser.connect())) throw new Error('the browser socket never connected');
    const body = { id: login.id, code: login.code };
    step('scan');
    await think(options);
    const scan = await callViaBalancer(cluster, policy, 'POST', '/api/mobile/scan', { body, headers: phone });
    if (scan.status !== 200) throw new Error(`scan answered ${scan.status} ${JSON.stringify(scan.body)}`);
    if (await browser.until((s) => s.version >= 2, PUSH_WAIT_MS)) record.scannedSeenAt = Date.now();
    if (Math.random() < options.reconnectShare) {
      tally.reconnects++;
      await browser.connect(browser.node ?? undefined); // the first thing it gets is the state re-read from Redis
    }
    step('confirm');
    await think(options);
    const confirm = await callViaBalancer(cluster, policy, 'POST', '/api/mobile/confirm', { body, headers: phone });
    // A confirm whose answer was lost and then retried answers invalid_state: the browser's state decides.
    if (confirm.status !== 200 && confirm.body?.error !== 'invalid_state') throw new Error(`confirm answered ${confirm.status} ${JSON.stringify(confirm.body)}`);
    step('wait for confirmed');
    for (let attempt = 0; !(await browser.until((s) => s.state === 'confirmed', PUSH_WAIT_MS)); attempt++) {
      if (attempt >= 3) throw new Error(`never saw confirmed: ${JSON.stringify(browser.latest)}`);
      tally.pushFallbacks++;
      await browser.connect(browser.node ?? undefined);
    }
    const confirmed = browser.seen.find((s) => s.snapshot.state === 'confirmed');
    record.confirmedSeenAt = confirmed?.at;
    record.confirmedPushed = confirmed?.pushed;

    step('redeem');
    const redeemed = await redeem(ctx, login, browser);
    if (redeemed.status !== 200) throw new Error(`redeem answered ${redeemed.status} ${JSON.stringify(redeemed.body)}`);
    const token: string = redeemed.body.token;
    const claims = jwt.verify(token, TEST_WEB_SECRET, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    if (claims.sub !== userId || claims.sid !== login.id || redeemed.body.user?.id !== userId) tally.misdelivered++;
    const owner = ctx.tokens.get(token);
    if (owner !== undefined && owner !== login.id) tally.duplicates++;
    ctx.tokens.set(token, login.id);
    // The same browser asks again on a random node: the same token, never another one.
    step('repeat redeem');
    const again = await callViaBalancer(cluster, policy, 'POST', `/api/login-sessions/${login.id}/redeem`, { headers: { 'x-login-secret': login.secret } });
    if (again.status === 200 && again.body.token !== token) tally.duplicates++;
    else if (again.status !== 200) {
      tally.redeliveryFailures++;
      throw new Error(`repeat redeem answered ${again.status} ${JSON.stringify(again.body)}`);
    }
    record.completedAt = Date.now();
    return record;
  } finally {
    tally.reconnects += browser.reconnects;
    browser.close();
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const env = {
    REDIS_KEY_PREFIX: `soak:${randomBytes(3).toString('hex')}:`,
    PUBLIC_URL: 'https://login.example.test',
    LOG_LEVEL: 'info', // the nodes say 'qrlogin listening' at info
    RATE_LIMITS: '0',
  };
  const cluster = await ChaosCluster.start(options.nodes, env, { aof: options.chaos });
  // Stopped from outside (Ctrl-C, a CI timeout): take the nodes and Redis down too.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void cluster.stop().finally(() => process.exit(1)));
  }
  const tally = emptyTally();
  const ctx: Context = {
    options,
    cluster,
    tally,
    tokens: new Map(),
    policy: {
      timeoutMs: options.clientTimeoutMs,
      giveUpAfterMs: 45_000,
      onRetry: (why, ms) => {
        tally.retries++;
        if (why === '503') tally.slowest503Ms = Math.max(tally.slowest503Ms, ms);
      },
    },
  };
  const records: LoginRecord[] = [];
  let redeliveries = 0;
  const started = Date.now();
  let next = 0;
  let stopped = false;
  const faults = options.chaos
    ? cluster.run(() => next >= options.logins, { gapMs: options.gapMs, freezeMs: options.freezeMs, log: (l) => process.stderr.write(`${l}\n`) })
    : Promise.resolve();
  const worker = async () => {
    // In chaos mode the logins go on until every fault was thrown under load.
    while (!stopped && (next < options.logins || (options.chaos && !cluster.everyFaultSeen))) {
      const n = next++;
      if (!options.chaos && n === Math.floor(options.logins / 2)) await cluster.inject('redis-connections-killed', options);
      tally.started++;
      await oneLoginInTime(n, ctx).then(
        (record) => records.push(record),
        (err: Error) => {
          tally.lost++;
          if (tally.errors.length < 10) tally.errors.push(`login ${n}: ${err.message}`);
        },
      );
    }
  };
  const progress = setInterval(() => {
    process.stderr.write(`soak: ${records.length} completed, ${tally.lost} lost, ${tally.started} started, ${Math.round((Date.now() - started) / 1000)} s\n`);
  }, 10_000);
  try {
    await Promise.all([...Array.from({ length: Math.max(1, options.concurrency) }, worker), faults]);
  } finally {
    clearInterval(progress);
    stopped = true;
    redeliveries = cluster.logLines(REDELIVERY_LOG);
    await cluster.stop();
  }
  const summary = summarize(tally, records, cluster.events, (Date.now() - started) / 1000, redeliveries);
  for (const error of tally.errors) process.stderr.write(`${error}\n`);
  process.stdout.write(`soak${options.chaos ? ' --chaos' : ''}: ${summary.line}\n`);
  const faultsOk = options.chaos ? cluster.everyFaultSeen : cluster.count('redis-connections-killed') > 0;
  process.exit(summary.ok && faultsOk ? 0 : 1);
}

main().catch((err) => {
  process.stderr.write(`soak failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
