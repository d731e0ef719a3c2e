import { createHttpApi, type BrowserApi } from './api';
import { backoffMs, realClock, sleep, withRetries, type Clock } from './clock';
import { socketIoOpener, type LoginSocket, type OpenSocket, type SocketIoOptions } from './socket';
import { errorFor, NetworkError, QrLoginError } from '../shared/errors';
import type { FetchLike } from '../shared/http';
import { isFinal, type CreatedLoginSession, type LoginSnapshot, type RedeemedLogin } from '../shared/protocol';
import { qrSvg } from '../shared/qr-svg';

/** Why a QR code is shown: the first one, a replacement for an expired one, or one asked for with `refresh()`. */
export type QrReason = 'first' | 'expired' | 'refresh';
/** How state reaches the page right now. */
export type Channel = 'socket' | 'long-poll' | 'none';

export interface QrCode {
  /** The URL the QR encodes (PUBLIC_URL/m/login?id=…&code=…). */
  content: string;
  /**
   * The QR as SVG markup. The SDK asks the server to leave it out (`svg: false`,
   * which makes creating a session cheaper) and draws it from `content` with the
   * server's own writer; an older server that sends it anyway is taken at its word.
   */
  svg: string;
  expiresAt: string;
  /** (v1.1) What a phone that cannot scan types into the app instead, `BCDF-GHJK`; absent from older servers. */
  userCode?: string;
}

export interface QrLoginOptions {
  /** Origin of the qrlogin server, e.g. `https://login.example.com` (the page's own origin if the same). */
  baseUrl: string;
  /** A new QR code to show. */
  onQr?(qr: QrCode, reason: QrReason): void;
  /** Every newer state, once, in version order. `willRefresh`: an expired code is about to be replaced. */
  onState?(snapshot: LoginSnapshot, info: { willRefresh: boolean }): void;
  /** The login succeeded: the web token and the user. Called at most once per code. */
  onSuccess?(login: RedeemedLogin): void;
  /** Something the SDK could not recover from (after its retries). */
  onError?(error: QrLoginError): void;
  onChannel?(channel: Channel): void;
  /** How many QR codes one page may create by itself before it stops (an abandoned tab must not create them forever). */
  maxCodes?: number;
  /** `waitMs` of each long poll. */
  longPollWaitMs?: number;
  /** Tries of a create or redeem that fails for a retryable reason (network, 429, 503). */
  maxAttempts?: number;
  socket?: SocketIoOptions;
  /** Injected for tests or other runtimes. */
  fetch?: FetchLike;
  api?: BrowserApi;
  openSocket?: OpenSocket;
  clock?: Clock;
}

export interface QrLoginHandle {
  /** The newest state seen, if any. */
  readonly snapshot: LoginSnapshot | null;
  readonly qr: QrCode | null;
  readonly channel: Channel;
  /** A new code now (after a cancel, or once the `maxCodes` cap was reached); resets the cap. */
  refresh(): Promise<void>;
  /** Closes the socket, stops polling and timers, and gives an unfinished session up (DELETE). */
  stop(): Promise<void>;
}

/** Extra time after `expiresIn` before the SDK asks the server itself whether the code expired. */
const EXPIRY_CHECK_GRACE_MS = 2000;
const REDEEM_ACK_TIMEOUT_MS = 10_000;

/**
 * Creates a login session and follows it until the user is logged in: the
 * HTTP long poll until the socket has delivered a `state`, the socket while
 * it stays up, the long poll again whenever it drops, a new code when one
 * expires. Events are hints and may come twice or out of order
 * through two channels: only a newer `version` is applied.
 */
export function createQrLogin(options: QrLoginOptions): QrLoginHandle {
  const controller = new LoginController(options);
  void controller.newCode('first');
  return controller;
}

class LoginController implements QrLoginHandle {
  snapshot: LoginSnapshot | null = null;
  qr: QrCode | null = null;
  channel: Channel = 'none';

  private readonly api: BrowserApi;
  private readonly openSocket: OpenSocket;
  private readonly clock: Clock;
  private readonly maxCodes: number;
  private readonly maxAttempts: number;
  private session: CreatedLoginSession | null = null;
  private socket: LoginSocket | null = null;
  private poll: AbortController | null = null;
  private expiryTimer: unknown;
  private codes = 0;
  /** Bumped whenever the current session is dropped: async work of an older one stops. */
  private generation = 0;
  private redeeming = false;
  private stopped = false;
  /** The current socket has delivered a `state` since it last (re)connected. */
  private socketLive = false;

  constructor(private readonly options: QrLoginOptions) {
    this.api = options.api ?? createHttpApi(options.baseUrl, options.fetch);
    this.openSocket = options.openSocket ?? socketIoOpener(options.socket);
    this.clock = options.clock ?? realClock;
    this.maxCodes = options.maxCodes ?? 5;
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  async refresh(): Promise<void> {
    if (this.stopped) return;
    const abandon = this.abandonUnfinished();
    // Nothing of the old session reaches the page any more, its own `cancelled` included.
    this.drop();
    await abandon;
    this.codes = 0;
    await this.newCode('refresh');
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const abandon = this.abandonUnfinished();
    this.drop();
    await abandon;
  }

  /** Creates a session (retrying what is worth retrying), shows its QR and starts following it. */
  async newCode(reason: QrReason): Promise<void> {
    this.drop();
    const generation = this.generation;
    let created: CreatedLoginSession;
    try {
      created = await this.retried(generation, () => this.api.create({ svg: false }));
    } catch (err) {
      if (generation === this.generation && !this.stopped) this.fail(err);
      return;
    }
    if (generation !== this.generation || this.stopped) {
      // stop() or refresh() came while creating: this session is nobody's.
      void this.api.abandon(created.id, created.secret).catch(() => undefined);
      return;
    }
    let svg: string;
    try {
      svg = created.qr.svg ?? qrSvg(created.qr.content);
    } catch (err) {
      // A code that cannot be drawn (content too long for a QR) is nobody's either.
      void this.api.abandon(created.id, created.secret).catch(() => undefined);
      this.fail(new Error(`The QR code could not be drawn: ${(err as Error)?.message ?? String(err)}`));
      return;
    }
    this.codes++;
    this.session = created;
    const { secret: _secret, qr, expiresIn: _in, pollIntervalMs: _p, userCode, ...snapshot } = created;
    this.qr = { content: qr.content, svg, expiresAt: created.expiresAt, ...(userCode ? { userCode } : {}) };
    this.options.onQr?.(this.qr, reason);
    this.apply(snapshot);
    if (this.session !== created) return;
    this.expiryTimer = this.clock.setTimeout(() => void this.checkExpiry(generation), created.expiresIn * 1000 + EXPIRY_CHECK_GRACE_MS);
    // Long poll from the start: a socket may hang in its handshake, or be
    // accepted and then closed by a proxy, for many seconds without a word.
    // Only a socket that has delivered a `state` is known to be in the room.
    void this.longPoll(generation);
    this.socket = this.openSocket(this.options.baseUrl, { id: created.id, secret: created.secret }, {
      connected: () => undefined,
      state: (s) => this.onSocketState(generation, s),
      connectFailed: (reason) => this.onSocketDown(generation, reason),
      dropped: (reason) => this.onSocketDown(generation, reason),
    });
  }

  /** Applies a snapshot from any channel if it is this session's and newer than what was seen. */
  private apply(snapshot: LoginSnapshot): void {
    const session = this.session;
    if (this.stopped || !session || snapshot.id !== session.id) return;
    if (this.snapshot?.id === session.id && snapshot.version <= this.snapshot.version) return;
    this.snapshot = snapshot;
    const willRefresh = snapshot.state === 'expired' && this.codes < this.maxCodes;
    this.options.onState?.(snapshot, { willRefresh });
    if (snapshot.state === 'confirmed') void this.redeem(session);
    else if (snapshot.state === 'expired' && willRefresh) void this.newCode('expired');
    else if (isFinal(snapshot.state) && !this.redeeming) this.drop();
  }

  /**
   * One redeem per session at a time; over the socket when it is live, else
   * over HTTP. A socket that drops before its ack rejects at once, and the
   * HTTP redeem follows without a backoff wait: it is another channel, and
   * the server answers a repeat redeem by the same browser with the same token.
   * A socket that gave no answer is not asked again: it may sit on a frozen
   * node that has not dropped it yet.
   */
  private async redeem(session: CreatedLoginSession): Promise<void> {
    if (this.redeeming) return;
    this.redeeming = true;
    const generation = this.generation;
    const overHttp = () => this.api.redeem(session.id, session.secret);
    let socketSilent = false;
    try {
      const login = await this.retried(generation, async () => {
        const socket = this.socketLive && !socketSilent ? this.socket : null;
        if (!socket) return overHttp();
        try {
          return await socket.redeem(REDEEM_ACK_TIMEOUT_MS);
        } catch (err) {
          if (!(err instanceof NetworkError) || generation !== this.generation || this.stopped) throw err;
          socketSilent = true;
          return overHttp();
        }
      });
      if (generation !== this.generation || this.stopped) return;
      this.drop();
      this.options.onSuccess?.(login);
    } catch (err) {
      if (generation !== this.generation || this.stopped) return;
      this.drop();
      this.fail(err);
    }
  }

  /**
   * The server sends the current state right after joining the socket to the
   * session's room: from that first `state` on, every transition is pushed,
   * so the long poll can stop without missing one.
   */
  private onSocketState(generation: number, snapshot: LoginSnapshot): void {
    if (generation !== this.generation || this.stopped) return;
    if (!this.socketLive) {
      this.socketLive = true;
      this.stopPolling();
      this.setChannel('socket');
    }
    this.apply(snapshot);
  }

  /** Not live any more (or never was): long poll until it has delivered a `state` again. */
  private onSocketDown(generation: number, reason: string): void {
    if (generation !== this.generation || this.stopped) return;
    this.socketLive = false;
    if (reason === 'not_found') return this.sessionGone();
    void this.longPoll(generation);
  }

  /** Long polls (`after` = newest version) until the socket is back, the session ends or is replaced. */
  private async longPoll(generation: number): Promise<void> {
    if (this.poll || !this.session) return;
    const { id, secret, pollIntervalMs } = this.session;
    const poll = new AbortController();
    this.poll = poll;
    this.setChannel('long-poll');
    const waitMs = this.options.longPollWaitMs ?? 25_000;
    let failures = 0;
    while (!poll.signal.aborted && generation === this.generation) {
      try {
        const after = this.snapshot?.version ?? 0;
        const started = this.clock.now();
        const snapshot = await this.api.poll(id, secret, { after, waitMs }, poll.signal);
        failures = 0;
        this.apply(snapshot);
        // A proxy that cuts long polls short must not turn this loop into a busy one.
        const early = snapshot.version <= after && this.clock.now() - started < pollIntervalMs;
        if (early && !poll.signal.aborted) await sleep(this.clock, pollIntervalMs);
      } catch (err) {
        if (poll.signal.aborted || generation !== this.generation) break;
        if (err instanceof QrLoginError && err.code === 'not_found') {
          this.sessionGone();
          break;
        }
        if (err instanceof QrLoginError && !err.retryable) {
          this.fail(err);
          break;
        }
        failures++;
        await sleep(this.clock, backoffMs(failures, this.clock, (err as QrLoginError).retryAfterSeconds));
      }
    }
    if (this.poll === poll) this.poll = null;
  }

  /** A safety net for a lost `expired` event: past its time, ask the server once. */
  private async checkExpiry(generation: number): Promise<void> {
    const session = this.session;
    if (generation !== this.generation || !session || (this.snapshot && isFinal(this.snapshot.state))) return;
    try {
      this.apply(await this.api.poll(session.id, session.secret));
    } catch (err) {
      if (generation === this.generation && err instanceof QrLoginError && err.code === 'not_found') this.sessionGone();
    }
  }

  /** The server no longer knows the session (it expired and was removed): treat it as expired. */
  private sessionGone(): void {
    const session = this.session;
    if (!session || !this.snapshot || isFinal(this.snapshot.state)) return;
    this.apply({ id: session.id, state: 'expired', version: this.snapshot.version + 1, expiresAt: session.expiresAt });
  }

  private retried<T>(generation: number, call: () => Promise<T>): Promise<T> {
    const stillWanted = () => generation === this.generation && !this.stopped;
    return withRetries(call, { clock: this.clock, maxAttempts: this.maxAttempts, stillWanted });
  }

  /** Leaves the current session: socket, poll and timer go; async work of it sees a new generation. */
  private drop(): void {
    this.generation++;
    this.redeeming = false;
    this.socket?.close();
    this.socket = null;
    this.socketLive = false;
    this.stopPolling();
    if (this.expiryTimer !== undefined) this.clock.clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    this.setChannel('none');
  }

  private async abandonUnfinished(): Promise<void> {
    const session = this.session;
    const state = this.snapshot?.id === session?.id ? this.snapshot?.state : undefined;
    if (!session || (state !== 'pending' && state !== 'scanned')) return;
    await this.api.abandon(session.id, session.secret).catch(() => undefined);
  }

  private stopPolling(): void {
    this.poll?.abort();
    this.poll = null;
  }

  private setChannel(channel: Channel): void {
    if (this.channel === channel) return;
    this.channel = channel;
    this.options.onChannel?.(channel);
  }

  private fail(err: unknown): void {
    const error = err instanceof QrLoginError ? err : errorFor('bad_response', (err as Error)?.message ?? String(err));
    this.options.onError?.(error);
  }
}
