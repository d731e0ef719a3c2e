/**
 * `npm run soak [-- --logins N --concurrency C]`: two node processes on one
 * real Redis, N complete logins with the browser and the phone on random
 * nodes, some browsers reconnecting to another node mid-flow, and every Redis
 * connection killed once halfway. Prints one summary line and exits non-zero
 * unless no login was lost, no token was issued twice and no token reached
 * another browser. Not part of `npm test` (.ci/run runs a short form).
 */
import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { io, type Socket } from 'socket.io-client';
import { appToken, call, type CreatedLogin } from '../test/support/client';
import { killConnections } from '../test/support/faults';
import { startNodes, stopNodes, type NodeProcess } from '../test/support/node-process';
import { startRedis } from '../test/support/redis-server';
import { TEST_WEB_SECRET } from '../test/support/server';

interface Options {
  logins: number;
  concurrency: number;
  /** Share of browsers that drop their socket after the scan and reconnect to a random node. */
  reconnectShare: number;
}

interface Tally {
  completed: number;
  lost: number;
  duplicateTokens: number;
  wrongBrowser: number;
  reconnects: number;
  retries: number;
  /** Times a browser had to re-read instead of being pushed `confirmed` within 10 s (allowed; counted). */
  pushFallbacks: number;
  durationsMs: number[];
  errors: string[];
}

function parseArgs(argv: string[]): Options {
  const value = (name: string, fallback: number) => {
    const i = argv.indexOf(`--${name}`);
    const n = i >= 0 ? Number(argv[i + 1]) : fallback;
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number`);
    return n;
  };
  return { logins: value('logins', 2000), concurrency: value('concurrency', 40), reconnectShare: value('reconnect-share', 0.2) };
}

const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)] as T;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A call retried while the node answers 503 or the connection fails, as a real client would during an outage. */
async function retrying<T>(tally: Tally, attempt: () => Promise<{ status: number; body: T }>): Promise<{ status: number; body: T }> {
  for (let i = 0; ; i++) {
    const res = await attempt().catch(() => ({ status: 0, body: undefined as T }));
    if (res.status !== 503 && res.status !== 0) return res;
    if (i >= 40) return res;
    tally.retries++;
    await sleep(50 * Math.min(i + 1, 10));
  }
}

/** The browser side: a socket that remembers the newest snapshot it was pushed. */
class Browser {
  socket?: Socket;
  latest: any = null;
  private waiters: (() => void)[] = [];
  constructor(private readonly login: CreatedLogin) {}

  async connect(node: NodeProcess, tally: Tally): Promise<void> {
    this.socket?.close();
    for (let i = 0; ; i++) {
      const socket = io(`${node.url}/login`, { auth: { id: this.login.id, secret: this.login.secret }, transports: ['websocket'], reconnection: false, forceNew: true });
      socket.on('state', (s) => {
        if (!this.latest || s.version > this.latest.version) this.latest = s;
        for (const wake of this.waiters.splice(0)) wake();
      });
      const ok = await new Promise<boolean>((resolve) => {
        socket.once('connect', () => resolve(true));
        socket.once('connect_error', () => resolve(false));
      });
      if (ok) {
        this.socket = socket;
        return;
      }
      socket.close();
      if (i >= 40) throw new Error('socket could not connect');
      tally.retries++;
      await sleep(50 * Math.min(i + 1, 10));
    }
  }

  /** Waits until a pushed snapshot satisfies `predicate`; false after `timeoutMs`. */
  async until(predicate: (s: any) => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!(this.latest && predicate(this.latest))) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }

  close(): void {
    this.socket?.close();
  }
}

async function oneLogin(n: number, nodes: NodeProcess[], options: Options, tally: Tally, tokens: Set<string>): Promise<void> {
  const started = performance.now();
  const userId = `soak-user-${n}`;
  const phone = { authorization: `Bearer ${appToken(userId)}` };
  const created = await retrying(tally, () => call(pick(nodes).url, 'POST', '/api/login-sessions'));
  if (created.status !== 201) throw new Error(`create answered ${created.status}`);
  const login = created.body as CreatedLogin;
  login.code = new URL(login.qr.content).searchParams.get('code') as string;
  const browser = new Browser(login);
  try {
    await browser.connect(pick(nodes), tally);
    if (!(await browser.until((s) => s.version >= 1, 10000))) throw new Error('no initial state pushed');
    const body = { id: login.id, code: login.code };
    const scan = await retrying(tally, () => call(pick(nodes).url, 'POST', '/api/mobile/scan', { body, headers: phone }));
    if (scan.status !== 200) throw new Error(`scan answered ${scan.status} ${JSON.stringify(scan.body)}`);
    if (Math.random() < options.reconnectShare) {
      tally.reconnects++;
      await browser.connect(pick(nodes), tally); // the first thing it gets is the state re-read from Redis
    }
    const confirm = await retrying(tally, () => call(pick(nodes).url, 'POST', '/api/mobile/confirm', { body, headers: phone }));
    // A confirm whose answer was lost to the outage and then retried answers invalid_state: the state decides.
    if (confirm.status !== 200 && (confirm.body as any)?.error !== 'invalid_state') throw new Error(`confirm answered ${confirm.status}`);
    if (!(await browser.until((s) => s.state === 'confirmed', 10000))) {
      tally.pushFallbacks++;
      await browser.connect(pick(nodes), tally);
      if (!(await browser.until((s) => s.state === 'confirmed', 10000))) throw new Error(`never confirmed: ${JSON.stringify(browser.latest)}`);
    }
    const redeem = async () => {
      if (Math.random() < 0.5 && browser.socket) {
        const ack = await browser.socket.timeout(10000).emitWithAck('redeem').catch(() => ({ error: 'timeout' }));
        return ack.token ? { status: 200, body: ack } : { status: ack.error === 'unavailable' ? 503 : 409, body: ack };
      }
      return call(pick(nodes).url, 'POST', `/api/login-sessions/${login.id}/redeem`, { headers: { 'x-login-secret': login.secret } });
    };
    const redeemed = await retrying(tally, redeem);
    if (redeemed.status !== 200) throw new Error(`redeem answered ${redeemed.status} ${JSON.stringify(redeemed.body)}`);
    const token: string = (redeemed.body as any).token;
    const claims = jwt.verify(token, TEST_WEB_SECRET, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    if (claims.sub !== userId || claims.sid !== login.id) tally.wrongBrowser++;
    if (tokens.has(token)) tally.duplicateTokens++;
    tokens.add(token);
    // A second redeem from anywhere must never yield another token.
    const again = await call(pick(nodes).url, 'POST', `/api/login-sessions/${login.id}/redeem`, { headers: { 'x-login-secret': login.secret } });
    if (again.status === 200) tally.duplicateTokens++;
    tally.completed++;
    tally.durationsMs.push(performance.now() - started);
  } finally {
    browser.close();
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const redis = await startRedis();
  const limits = { RATE_LIMIT_CREATE_PER_IP: '0', RATE_LIMIT_MOBILE_PER_IP: '0', RATE_LIMIT_HANDSHAKES_PER_IP: '0' };
  const env = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: `soak:${randomBytes(3).toString('hex')}:`, PUBLIC_URL: 'https://login.example.test', LOG_LEVEL: 'info', ...limits };
  const nodes = await startNodes(2, env);
  const tally: Tally = { completed: 0, lost: 0, duplicateTokens: 0, wrongBrowser: 0, reconnects: 0, retries: 0, pushFallbacks: 0, durationsMs: [], errors: [] };
  const tokens = new Set<string>();
  const started = performance.now();
  let next = 0;
  let killed = -1;
  const worker = async () => {
    while (next < options.logins) {
      const n = next++;
      if (killed < 0 && n >= options.logins / 2) {
        killed = 0; // once, by this worker only
        killed = (await killConnections(redis.url, 'normal')) + (await killConnections(redis.url, 'pubsub'));
      }
      await oneLogin(n, nodes, options, tally, tokens).catch((err: Error) => {
        tally.lost++;
        if (tally.errors.length < 5) tally.errors.push(`login ${n}: ${err.message}`);
      });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  } finally {
    await stopNodes(nodes);
    await redis.stop();
  }
  const sorted = tally.durationsMs.sort((x, y) => x - y);
  const pct = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(0) : '-');
  const seconds = (performance.now() - started) / 1000;
  for (const error of tally.errors) process.stderr.write(`${error}\n`);
  process.stdout.write(
    `soak: logins=${options.logins} completed=${tally.completed} lost=${tally.lost} duplicate_tokens=${tally.duplicateTokens} ` +
      `wrong_browser=${tally.wrongBrowser} reconnects=${tally.reconnects} redis_connections_killed=${killed} retries=${tally.retries} ` +
      `push_fallbacks=${tally.pushFallbacks} login_ms_p50=${pct(0.5)} login_ms_p99=${pct(0.99)} elapsed_s=${seconds.toFixed(1)}\n`,
  );
  const ok = tally.lost === 0 && tally.duplicateTokens === 0 && tally.wrongBrowser === 0 && tally.completed === options.logins && killed > 0;
  process.exit(ok ? 0 : 1);
}

main().catch((err) => {
  process.stderr.write(`soak failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
