/**
 * Confirm → the browser holds the token, the figure a user feels: timed from
 * the moment the phone sends its confirm to the moment the browser has the
 * web token in hand (push event + redeem over the socket ack, or poll/long
 * poll answer + HTTP redeem).
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { io } from 'socket.io-client';
import { browserHeaders, checkToken, create, phone, scannedWithSocket, type Session } from '../lib/flow';
import { json } from '../lib/http';
import { summarize, type LatencySummary } from '../lib/stats';

export interface PushRun {
  /** Confirm sent → token held. */
  token: LatencySummary;
  /** Confirm sent → `confirmed` event received (the push alone). */
  event: LatencySummary;
}

/**
 * `samples` logins one after the other (or as many as fit before `deadline`, a Date.now() value):
 * browser socket on `browserNode`, phone calls on `phoneNode`.
 */
export async function pushRun(browserNode: string, phoneNode: string, samples: number, deadline = Infinity): Promise<PushRun> {
  const token: number[] = [];
  const event: number[] = [];
  for (let i = 0; i < samples && Date.now() < deadline; i++) {
    const { session, socket } = await scannedWithSocket(browserNode, phoneNode);
    let eventAt = 0;
    const redeemed = new Promise<number>((resolve, reject) => {
      socket.on('state', (s) => {
        if (s.state !== 'confirmed') return;
        eventAt = performance.now();
        socket
          .timeout(5000)
          .emitWithAck('redeem')
          .then((ack) => {
            checkToken(ack, 'socket redeem');
            resolve(performance.now());
          }, reject);
      });
    });
    const start = performance.now();
    await phone(phoneNode, 'confirm', session);
    const end = await redeemed;
    socket.close();
    token.push(end - start);
    event.push(eventAt - start);
  }
  return { token: summarize(token), event: summarize(event) };
}

/** Polls GET every `intervalMs` (the design push replaces) until confirmed, then redeems over HTTP. */
async function pollUntilToken(base: string, s: Session, intervalMs: number, stop: AbortSignal): Promise<number | null> {
  while (!stop.aborted) {
    const tick = sleep(intervalMs, undefined, { signal: stop }).catch(() => undefined);
    const res = await json(base, 'GET', `/api/login-sessions/${s.id}`, { headers: browserHeaders(s) });
    if (res.body?.state === 'confirmed') {
      const redeem = await json(base, 'POST', `/api/login-sessions/${s.id}/redeem`, { headers: browserHeaders(s) });
      checkToken(redeem.body, 'HTTP redeem');
      return performance.now();
    }
    await tick;
  }
  return null;
}

/**
 * The polling baseline: `concurrent` browsers each polling every second; each
 * phone confirms at a random moment, as a user would, so the wait is spread
 * over the whole polling interval.
 */
export async function pollingRun(base: string, concurrent: number, intervalMs = 1000): Promise<LatencySummary> {
  const one = async (): Promise<number> => {
    const session = await create(base);
    const stop = new AbortController();
    const polled = pollUntilToken(base, session, intervalMs, stop.signal);
    try {
      await phone(base, 'scan', session);
      await sleep(Math.random() * intervalMs); // uniform over one polling period: the wait averages half of it
      const start = performance.now();
      await phone(base, 'confirm', session);
      const end = await polled;
      if (end === null) throw new Error('polling stopped');
      return end - start;
    } finally {
      stop.abort();
      polled.catch(() => undefined); // already reported above when it matters
    }
  };
  return summarize(await Promise.all(Array.from({ length: concurrent }, one)));
}

/** The long-poll fallback: GET ?after=<scanned version>&waitMs held open while the phone confirms. */
export async function longPollRun(base: string, samples: number): Promise<LatencySummary> {
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const session = await create(base);
    await phone(base, 'scan', session);
    const headers = browserHeaders(session);
    const held = json(base, 'GET', `/api/login-sessions/${session.id}?after=2&waitMs=20000`, { headers });
    await sleep(20); // let the request reach the server and start waiting
    const start = performance.now();
    await phone(base, 'confirm', session);
    const answer = await held;
    if (answer.body?.state !== 'confirmed') throw new Error(`long poll answered ${JSON.stringify(answer.body)}`);
    const redeem = await json(base, 'POST', `/api/login-sessions/${session.id}/redeem`, { headers });
    checkToken(redeem.body, 'HTTP redeem');
    out.push(performance.now() - start);
  }
  return summarize(out);
}

/** The floor under every figure above on this machine right now: one keep-alive HTTP round trip to a hello-world route. */
export async function roundTripRun(base: string, samples: number): Promise<LatencySummary> {
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    const res = await json(base, 'GET', '/bench/hello');
    if (res.status !== 200) throw new Error(`hello: ${res.status}`);
    out.push(performance.now() - start);
  }
  return summarize(out);
}

/**
 * The floor under the push figures: the same exchanges as confirm → token on
 * one node — an HTTP request answered after two Redis round trips, an event
 * pushed to the browser's socket, a socket message acknowledged after one
 * more — with nothing else in them (bench/node.ts). Timed the same way.
 */
export async function skeletonRun(base: string, samples: number): Promise<LatencySummary> {
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const room = `r${i}`;
    const socket = io(`${base}/bench-skeleton`, { auth: { room }, transports: ['websocket'], reconnection: false, forceNew: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const acked = new Promise<number>((resolve, reject) => {
      socket.once('pushed', () => {
        socket
          .timeout(5000)
          .emitWithAck('echo')
          .then(() => resolve(performance.now()), reject);
      });
    });
    const start = performance.now();
    const res = await json(base, 'POST', `/bench/skeleton/${room}`);
    if (res.status !== 200) throw new Error(`skeleton: ${res.status}`);
    const end = await acked;
    socket.close();
    out.push(end - start);
  }
  return summarize(out);
}
