import { randomInt, randomUUID } from 'node:crypto';
import { USER_CODE_ALPHABET, USER_CODE_LENGTH } from '../../client/shared/protocol';
import { openAnswer, sealAnswer } from './sealed-answer';
import { hashSecret, newSessionId, randomToken, safeEqual } from './secrets';
import { LoginError, StoreUnavailableError } from '../errors';
import type { CreationQuota, OverQuota, Store } from './store';
import * as rules from './rules';
import { toSnapshot, type IssuedToken, type RedeemedSession, type SessionChange, type SessionRecord, type SessionUser, type Snapshot } from './types';

export interface LoginServiceOptions {
  store: Store;
  /** Origin of the QR URL (PUBLIC_URL). */
  publicUrl: string;
  ttlMs: number;
  confirmWindowMs: number;
  /**
   * Mints the web token of a login about to be redeemed. It runs before the
   * compare-and-set that redeems, so that the token is stored (sealed) in the
   * same atomic write: a caller that loses that race has its token thrown
   * away, unseen. Only one token per login is ever answered.
   */
  issueWebToken: (user: SessionUser, session: Snapshot) => Promise<IssuedToken>;
  /** How long a repeat redeem with the secret answers the same token again (PROTOCOL.md v1.1: at least 60 s). Default 60 s. */
  redeliveryMs?: number;
  /**
   * Called after every transition this node writes (the realtime layer pushes it), with
   * the client whose request made it, when the caller named one (`by`).
   */
  onChange?: (snapshot: Snapshot, by: Requester | undefined) => void;
  /**
   * Awaited before a redeem answers (a repeat one too): records the browser
   * the token logs in (linked devices), so no token goes out that its user
   * cannot see and sign out.
   */
  onRedeem?: (login: { sid: string; user: SessionUser; expiresIn: number }, browser: BrowserInfo) => Promise<void>;
  /** Called when a repeat redeem is answered the token again (for metrics and logs). */
  onRedelivered?: (id: string) => void;
  now?: () => number;
  newId?: () => string;
  /** Draws a user code (canonical form); default: 8 uniformly random letters of USER_CODE_ALPHABET. */
  newUserCode?: () => string;
}

/** The browser a request comes from. */
export interface BrowserInfo {
  ip: string;
  userAgent: string;
}

/** The client whose request makes a change (the phone app's or a browser's), named by the caller. */
export type Requester = BrowserInfo;

export interface CreatedSession {
  record: SessionRecord;
  /** Returned once, to the creating browser; the store keeps only its hash. */
  secret: string;
  qrContent: string;
}

export const DEFAULT_REDELIVERY_MS = 60_000;

/** A read a caller refused by its checks never awaits: its failure is not an unhandled rejection. */
function unawaited<T>(reading: Promise<T>): Promise<T> {
  reading.catch(() => undefined);
  return reading;
}

/** 8 letters, each uniformly from the alphabet (randomInt has no modulo bias). */
function randomUserCode(): string {
  let code = '';
  for (let i = 0; i < USER_CODE_LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return code;
}

const notFound = () => new LoginError('not_found', 'No such login session');
/** Each lost race means another transition won, and there are only four, so this bound is never reached in practice. */
const MAX_ATTEMPTS = 6;
/**
 * Draws of a user code before giving up. A draw collides with probability
 * live sessions / 20^8 (1 in 25,600 with a million live), so a second draw is
 * already rare; six failing means the store misbehaves.
 */
const USER_CODE_DRAWS = 6;
/** Re-reads after an ambiguous store failure: about 1.5 s in all, while the client reconnects. */
const SETTLE_DELAYS_MS = [50, 100, 200, 400, 800];

/** The login flow: every action of PROTOCOL.md, on top of a Store. Knows nothing of HTTP or sockets. */
export class LoginService {
  private readonly store: Store;
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly newUserCode: () => string;

  constructor(private readonly options: LoginServiceOptions) {
    this.store = options.store;
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? newSessionId;
    this.newUserCode = options.newUserCode ?? randomUserCode;
  }

  /** True when the store counts a creation quota in its own write (see create()). */
  get countsCreations(): boolean {
    return this.store.countsCreations === true;
  }

  /**
   * A new pending session for `browser`. With a `quota` (for a store that
   * countsCreations), the store counts the creation in the same write and,
   * over the quota, saves nothing: the answer is then an OverQuota.
   */
  async create(browser: BrowserInfo): Promise<CreatedSession>;
  async create(browser: BrowserInfo, quota: CreationQuota | undefined): Promise<CreatedSession | OverQuota>;
  async create(browser: BrowserInfo, quota?: CreationQuota): Promise<CreatedSession | OverQuota> {
    const now = this.now();
    const secret = randomToken(32);
    const base = {
      state: 'pending',
      version: 1,
      secretHash: hashSecret(secret),
      code: randomToken(16),
      createdAt: now,
      expiresAt: now + this.options.ttlMs,
      ip: browser.ip,
      userAgent: browser.userAgent.slice(0, 512),
    } as const;
    for (let draw = 0; draw < USER_CODE_DRAWS; draw++) {
      const record: SessionRecord = { id: this.newId(), ...base, userCode: this.newUserCode() };
      // Counted once: a draw again after a taken code is the same creation.
      const saved = await this.store.create(record, draw === 0 && this.countsCreations ? quota : undefined);
      if (saved === 'ok') return { record, secret, qrContent: this.qrContent(record) };
      if (saved !== 'user_code_taken') return saved;
    }
    throw new Error(`no free user code after ${USER_CODE_DRAWS} draws`);
  }

  qrContent(record: SessionRecord): string {
    // The same as URLSearchParams writes for a UUID and a base64url code (nothing to escape), built on every creation.
    return `${this.options.publicUrl}/m/login?id=${encodeURIComponent(record.id)}&code=${encodeURIComponent(record.code)}`;
  }

  /** The session for a browser that proves it holds the secret; a wrong secret reads as unknown. `firstRead`: see readAhead(). */
  async findForBrowser(id: string, secret: string | undefined, firstRead?: Promise<SessionRecord | null>): Promise<SessionRecord> {
    const record = await (firstRead ?? this.store.find(id));
    if (!record || !secret || !safeEqual(record.secretHash, hashSecret(secret))) throw notFound();
    return record;
  }

  /** Secret check without throwing, for the socket handshake. */
  async browserSnapshot(id: string, secret: string): Promise<Snapshot | null> {
    const record = await this.store.find(id);
    if (!record || !safeEqual(record.secretHash, hashSecret(secret))) return null;
    return toSnapshot(record);
  }

  async snapshot(id: string): Promise<Snapshot | null> {
    const record = await this.store.find(id);
    return record && toSnapshot(record);
  }

  /**
   * Starts reading `id` now, for a transition the caller decides to make once
   * its own checks (rate limits, tokens) pass: pass the result as `firstRead`,
   * and the checks and the read cost one round trip together. Whatever the
   * checks decide, the read is never answered to anyone before they pass.
   */
  readAhead(id: string): Promise<SessionRecord | null> {
    return unawaited(this.store.find(id));
  }

  /** `by`, here and in every transition: the client whose request asks (for onChange). */
  scan(id: string, code: string, user: SessionUser, firstRead?: Promise<SessionRecord | null>, by?: Requester): Promise<SessionRecord> {
    return this.transition(id, (r) => rules.checkCode(r, code), (r) => rules.scan(r, user, this.now()), firstRead, by);
  }

  /**
   * A scan by the typed user code instead of the QR (PROTOCOL.md v1.1): the
   * session is found by its code, then scanned as by `{id, code}` while the code
   * stays usable on every re-read. Unknown, used or expired: not_found.
   */
  async scanByUserCode(userCode: string, user: SessionUser, firstRead?: Promise<SessionRecord | null>, by?: Requester): Promise<SessionRecord> {
    const found = await (firstRead ?? this.store.findByUserCode(userCode));
    if (!found) throw new LoginError('not_found', 'No login is waiting for this code');
    const scan = (r: SessionRecord) => rules.scan(r, user, this.now());
    return this.transition(found.id, (r) => rules.checkUserCode(r, userCode, user.id), scan, Promise.resolve(found), by);
  }

  /** As readAhead(), for a scan by user code. */
  readAheadUserCode(userCode: string): Promise<SessionRecord | null> {
    return unawaited(this.store.findByUserCode(userCode));
  }

  confirm(id: string, code: string, userId: string, firstRead?: Promise<SessionRecord | null>, by?: Requester): Promise<SessionRecord> {
    const windowMs = this.options.confirmWindowMs;
    return this.transition(id, (r) => rules.checkCode(r, code), (r) => rules.confirm(r, userId, this.now(), windowMs), firstRead, by);
  }

  cancel(id: string, code: string, userId: string, firstRead?: Promise<SessionRecord | null>, by?: Requester): Promise<SessionRecord> {
    return this.transition(id, (r) => rules.checkCode(r, code), (r) => rules.cancel(r, userId), firstRead, by);
  }

  abandon(id: string, secret: string | undefined, firstRead?: Promise<SessionRecord | null>, by?: Requester): Promise<SessionRecord> {
    return this.transition(id, (r) => this.checkSecret(r, secret), rules.abandon, firstRead, by);
  }

  /**
   * Exactly one token per session, whatever node or channel asks: the token is
   * minted before the compare-and-set and written with it, sealed, in one
   * atomic step. The winner answers it; a caller that loses the race, or asks
   * again within the re-delivery window, reads `redeemed` with that sealed
   * answer and opens it with the secret: the same token. `browser` is the
   * redeeming one (default: the one that created the session).
   */
  async redeem(id: string, secret: string | undefined, firstRead?: Promise<SessionRecord | null>, browser?: BrowserInfo): Promise<RedeemedSession> {
    let answer: RedeemedSession | undefined;
    const record = await this.transition(
      id,
      (r) => this.checkSecret(r, secret),
      async (record) => {
        answer = this.redelivered(record, secret as string) ?? undefined;
        if (answer) return null;
        const change = rules.redeem(record);
        const minted = await this.mint(toSnapshot(record), secret as string);
        answer = minted.answer;
        return { ...change, keepSealedAnswer: minted.sealed };
      },
      firstRead,
      browser,
    );
    if (!answer) throw new Error(`redeem of ${id} ended without an answer`);
    return this.answered(answer, browser ?? { ip: record.ip, userAgent: record.userAgent });
  }

  /**
   * The socket's shortcut to redeem, for a browser that proved its secret at
   * the handshake and a session this node has seen `confirmed` (`seen`, as
   * pushed): the compare-and-set goes out on that version at once, without
   * reading first. It wins only if nothing changed since, expiry included;
   * otherwise null, and the caller takes the full redeem().
   */
  async redeemSeen(seen: Snapshot, secret: string, browser: BrowserInfo = { ip: '', userAgent: '' }): Promise<RedeemedSession | null> {
    if (seen.state !== 'confirmed') return null;
    const change = rules.redeem(seen);
    const minted = await this.mint(seen, secret);
    if ((await this.commit(seen.id, seen.version, { ...change, keepSealedAnswer: minted.sealed })) !== 'ok') return null;
    this.announce({ ...seen, state: 'redeemed', version: seen.version + 1 }, browser);
    return this.answered(minted.answer, browser);
  }

  /** A redeem's answer, once its browser is recorded as the user's device. */
  private async answered(answer: RedeemedSession, browser: BrowserInfo): Promise<RedeemedSession> {
    await this.options.onRedeem?.({ sid: answer.sid, user: answer.user, expiresIn: answer.expiresIn }, browser);
    return answer;
  }

  /**
   * The token for `confirmed` (as a record or a pushed snapshot), as its
   * answer and sealed for re-delivery. Its claims see the session as it will
   * be once the compare-and-set wins: `redeemed`, one version on.
   */
  private async mint(confirmed: Snapshot, secret: string): Promise<{ answer: RedeemedSession; sealed: { sealed: string; forMs: number } }> {
    const user = confirmed.user;
    if (!user) throw new Error(`confirmed session ${confirmed.id} has no user`);
    const { token, expiresIn } = await this.options.issueWebToken(user, { ...confirmed, state: 'redeemed', version: confirmed.version + 1 });
    const expiresAt = this.now() + expiresIn * 1000;
    // Never kept longer than the token is good for.
    const forMs = Math.min(this.options.redeliveryMs ?? DEFAULT_REDELIVERY_MS, expiresIn * 1000);
    return {
      answer: { token, tokenType: 'Bearer', expiresIn, user, sid: confirmed.id },
      sealed: { sealed: sealAnswer(secret, confirmed.id, { token, expiresAt }), forMs },
    };
  }

  /** The answer of an earlier redeem of `record`, opened with the secret, while it can be re-delivered; else null. */
  private redelivered(record: SessionRecord, secret: string): RedeemedSession | null {
    if (record.state !== 'redeemed' || !record.sealedAnswer || !record.user) return null;
    const opened = openAnswer(secret, record.id, record.sealedAnswer);
    const expiresIn = opened && Math.floor((opened.expiresAt - this.now()) / 1000);
    if (!opened || !expiresIn || expiresIn <= 0) return null;
    this.options.onRedelivered?.(record.id);
    return { token: opened.token, tokenType: 'Bearer', expiresIn, user: record.user, sid: record.id };
  }

  private checkSecret(record: SessionRecord, secret: string | undefined): void {
    if (!secret || !safeEqual(record.secretHash, hashSecret(secret))) throw notFound();
  }

  /**
   * Read, decide, compare-and-set; on a lost race read again. `authorize`
   * runs first on every read so that an unauthorized caller learns nothing.
   */
  private async transition(
    id: string,
    authorize: (record: SessionRecord) => void,
    decide: (record: SessionRecord) => SessionChange | null | Promise<SessionChange | null>,
    firstRead?: Promise<SessionRecord | null>,
    by?: Requester,
  ): Promise<SessionRecord> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const record = await (attempt === 0 && firstRead ? firstRead : this.store.find(id));
      if (!record) throw notFound();
      authorize(record);
      const change = await decide(record);
      if (!change) return record;
      const result = await this.commit(id, record.version, change);
      if (result === 'gone') throw notFound();
      if (result === 'ok') {
        const { keepSealedAnswer: _sealed, ...written } = change;
        const updated: SessionRecord = { ...record, ...written, version: record.version + 1 };
        this.announce(toSnapshot(updated), by);
        return updated;
      }
    }
    throw new LoginError('invalid_state', 'The login changed concurrently; try again');
  }

  /**
   * Tells onChange of a write. A redeem's news comes a turn later: the token is
   * what its caller waits for, so its answer goes out first, and the pushes and
   * the PUBLISH to other nodes (nobody waits on a `redeemed` event) follow.
   */
  private announce(snapshot: Snapshot, by: Requester | undefined): void {
    const onChange = this.options.onChange;
    if (!onChange) return;
    if (snapshot.state === 'redeemed') setImmediate(() => onChange(snapshot, by));
    else onChange(snapshot, by);
  }

  /** Compare-and-set of `change` on the session at `version`, marked with a fresh writeId (see settle()). */
  private commit(id: string, version: number, change: SessionChange): Promise<'ok' | 'conflict' | 'gone'> {
    const write: SessionChange = { ...change, writeId: randomUUID() };
    return this.store.update(id, version, write).catch((err) => this.settle(err, id, write));
  }

  /**
   * The store failed after the write may have run (its reply was lost on a
   * dropped connection). Re-read until the store answers: our own write is
   * 'ok' — so a redeem whose reply was lost still mints its one token —, any
   * other state is a 'conflict' to decide again. Still unreachable: 503.
   */
  private async settle(err: unknown, id: string, write: SessionChange): Promise<'ok' | 'conflict' | 'gone'> {
    if (!(err instanceof StoreUnavailableError) || !err.mayHaveRun) throw err;
    for (const delayMs of SETTLE_DELAYS_MS) {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      let record: SessionRecord | null;
      try {
        record = await this.store.find(id);
      } catch {
        continue;
      }
      if (!record) return 'gone';
      return record.writeId === write.writeId ? 'ok' : 'conflict';
    }
    throw err;
  }
}
