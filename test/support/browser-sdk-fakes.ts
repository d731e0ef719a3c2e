/**
 * Deterministic stand-ins for the browser SDK's transports and clock, so its
 * version, fallback and retry logic can be driven one step at a time. Every
 * call the SDK makes is recorded and stays pending until the test answers it.
 */
import type { BrowserApi } from '../../client/browser/api';
import type { Clock } from '../../client/browser/clock';
import type { LoginSocket, OpenSocket, SocketEvents } from '../../client/browser/socket';
import type { CreatedLoginSession, CreateLoginSessionRequest, LoginSnapshot, LoginState, RedeemedLogin } from '../../client/shared/protocol';

/** Lets queued promise callbacks run (the SDK awaits between steps). */
export const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
};

export class FakeClock implements Clock {
  private time = 1_000_000;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  now = () => this.time;
  random = () => 0.5;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, fn, id });
    return id;
  };
  clearTimeout = (handle: unknown) => {
    this.timers = this.timers.filter((t) => t.id !== handle);
  };
  /** Moves time forward, running each timer that falls due (and what it queues) in order. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.fn();
    }
    this.time = end;
    await settle();
  }
}

interface PendingCall<T> {
  args: unknown[];
  resolve(value: T): void;
  reject(error: unknown): void;
  signal?: AbortSignal;
  /** Answered (or failed) by the test. */
  settled?: boolean;
}

type Method = keyof BrowserApi;

export class FakeApi implements BrowserApi {
  readonly calls: Record<Method, PendingCall<any>[]> = { create: [], poll: [], redeem: [], abandon: [] };
  private record<T>(method: Method, args: unknown[], signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const call: PendingCall<T> = {
        args,
        signal,
        resolve: (value) => ((call.settled = true), resolve(value)),
        reject: (error) => ((call.settled = true), reject(error)),
      };
      this.calls[method].push(call);
      signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { code: 'network_error' })));
    });
  }
  create = (request?: CreateLoginSessionRequest) => this.record<CreatedLoginSession>('create', [request]);
  poll = (id: string, secret: string, wait?: { after: number; waitMs: number }, signal?: AbortSignal) =>
    this.record<LoginSnapshot>('poll', [id, secret, wait], signal);
  redeem = (id: string, secret: string) => this.record<RedeemedLogin>('redeem', [id, secret]);
  abandon = (id: string, secret: string) => this.record<void>('abandon', [id, secret]);

  /** The newest call of `method`, which the test then answers. */
  last(method: Method): PendingCall<any> {
    const call = this.calls[method][this.calls[method].length - 1];
    if (!call) throw new Error(`no ${method} call yet`);
    return call;
  }
  /** Calls of `method` still waiting: not answered by the test, not given up by the SDK (long polls it did not abort). */
  live(method: Method): PendingCall<any>[] {
    return this.calls[method].filter((c) => !c.settled && !c.signal?.aborted);
  }
}

export class FakeSocket implements LoginSocket {
  connected = false;
  closed = false;
  readonly redeems: PendingCall<RedeemedLogin>[] = [];
  constructor(readonly auth: { id: string; secret: string }, readonly events: SocketEvents) {}
  redeem(): Promise<RedeemedLogin> {
    return new Promise((resolve, reject) => this.redeems.push({ args: [], resolve, reject }));
  }
  close(): void {
    this.closed = true;
    this.connected = false;
  }
  /** The server accepted the handshake and sent the current snapshot. */
  connect(snapshot?: LoginSnapshot): void {
    this.connected = true;
    this.events.connected();
    if (snapshot) this.events.state(snapshot);
  }
  drop(reason = 'transport close'): void {
    this.connected = false;
    this.events.dropped(reason);
  }
}

export class FakeSockets {
  readonly opened: FakeSocket[] = [];
  open: OpenSocket = (_baseUrl, auth, events) => {
    const socket = new FakeSocket(auth, events);
    this.opened.push(socket);
    return socket;
  };
  get last(): FakeSocket {
    const socket = this.opened[this.opened.length - 1];
    if (!socket) throw new Error('no socket opened yet');
    return socket;
  }
}

let counter = 0;
/** A create answer as a server that sends the SVG gives it (ids made unique per call). */
export function createdSession(expiresIn = 60): CreatedLoginSession {
  counter++;
  const id = `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`;
  return {
    id,
    secret: `secret-${counter}`,
    state: 'pending',
    version: 1,
    expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString(),
    expiresIn,
    pollIntervalMs: 1000,
    qr: { content: `http://qr.test/m/login?id=${id}&code=c${counter}`, svg: '<svg></svg>' },
  };
}

/** The same answer from a server that honours `svg: false`: the QR's content only. */
export const withoutSvg = (session: CreatedLoginSession): CreatedLoginSession => ({ ...session, qr: { content: session.qr.content } });

export function snapshotOf(session: CreatedLoginSession, state: LoginState, version: number): LoginSnapshot {
  const user = state === 'pending' ? undefined : { id: 'ana', displayName: 'Ana' };
  return { id: session.id, state, version, expiresAt: session.expiresAt, ...(user ? { user } : {}) };
}

export const redeemedLogin: RedeemedLogin = { token: 'web.jwt.token', tokenType: 'Bearer', expiresIn: 3600, user: { id: 'ana', displayName: 'Ana' }, sid: 'sid-ana' };
