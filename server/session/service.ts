import { randomUUID } from 'node:crypto';
import type { IssuedToken } from '../auth/web-token';
import { hashSecret, newSessionId, randomToken, safeEqual } from '../auth/secrets';
import { LoginError, StoreUnavailableError } from '../errors';
import type { Store } from '../store/store';
import * as rules from './rules';
import { toSnapshot, type SessionChange, type SessionRecord, type SessionUser, type Snapshot } from './types';

export interface LoginServiceOptions {
  store: Store;
  /** Origin of the QR URL (PUBLIC_URL). */
  publicUrl: string;
  ttlMs: number;
  confirmWindowMs: number;
  issueWebToken: (user: SessionUser, session: Snapshot) => Promise<IssuedToken>;
  /** Called after every transition this node writes (the realtime layer pushes it). */
  onChange?: (snapshot: Snapshot) => void;
  now?: () => number;
  newId?: () => string;
}

export interface CreatedSession {
  record: SessionRecord;
  /** Returned once, to the creating browser; the store keeps only its hash. */
  secret: string;
  qrContent: string;
}

/** The redeem answer of PROTOCOL.md, over HTTP and as the socket `redeem` ack. */
export interface RedeemedSession {
  token: string;
  tokenType: 'Bearer';
  expiresIn: number;
  user: SessionUser;
}

const notFound = () => new LoginError('not_found', 'No such login session');
/** Each lost race means another transition won, and there are only four, so this bound is never reached in practice. */
const MAX_ATTEMPTS = 6;
/** Re-reads after an ambiguous store failure: about 1.5 s in all, while the client reconnects. */
const SETTLE_DELAYS_MS = [50, 100, 200, 400, 800];

/** The login flow: every action of PROTOCOL.md, on top of a Store. Knows nothing of HTTP or sockets. */
export class LoginService {
  private readonly store: Store;
  private readonly now: () => number;
  private readonly newId: () => string;

  constructor(private readonly options: LoginServiceOptions) {
    this.store = options.store;
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? newSessionId;
  }

  async create(browser: { ip: string; userAgent: string }): Promise<CreatedSession> {
    const now = this.now();
    const secret = randomToken(32);
    const record: SessionRecord = {
      id: this.newId(),
      state: 'pending',
      version: 1,
      secretHash: hashSecret(secret),
      code: randomToken(16),
      createdAt: now,
      expiresAt: now + this.options.ttlMs,
      ip: browser.ip,
      userAgent: browser.userAgent.slice(0, 512),
    };
    await this.store.create(record);
    return { record, secret, qrContent: this.qrContent(record) };
  }

  qrContent(record: SessionRecord): string {
    const query = new URLSearchParams({ id: record.id, code: record.code });
    return `${this.options.publicUrl}/m/login?${query}`;
  }

  /** The session for a browser that proves it holds the secret; a wrong secret reads as unknown. */
  async findForBrowser(id: string, secret: string | undefined): Promise<SessionRecord> {
    const record = await this.store.find(id);
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

  scan(id: string, code: string, user: SessionUser): Promise<SessionRecord> {
    return this.transition(id, (r) => rules.checkCode(r, code), (r) => rules.scan(r, user, this.now()));
  }

  confirm(id: string, code: string, userId: string): Promise<SessionRecord> {
    const windowMs = this.options.confirmWindowMs;
    return this.transition(id, (r) => rules.checkCode(r, code), (r) => rules.confirm(r, userId, this.now(), windowMs));
  }

  cancel(id: string, code: string, userId: string): Promise<SessionRecord> {
    return this.transition(id, (r) => rules.checkCode(r, code), (r) => rules.cancel(r, userId));
  }

  abandon(id: string, secret: string | undefined): Promise<SessionRecord> {
    return this.transition(id, (r) => this.checkSecret(r, secret), rules.abandon);
  }

  /**
   * Exactly one caller per session gets the token, whatever node or channel it comes through.
   * `admitted`, when given, is a check that must pass first (the socket's rate limit).
   */
  async redeem(id: string, secret: string | undefined, admitted?: Promise<unknown>): Promise<RedeemedSession> {
    const record = await this.transition(id, (r) => this.checkSecret(r, secret), rules.redeem, admitted);
    const user = record.user;
    if (!user) throw new Error(`redeemed session ${id} has no user`);
    const { token, expiresIn } = await this.options.issueWebToken(user, toSnapshot(record));
    return { token, tokenType: 'Bearer', expiresIn, user };
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
    decide: (record: SessionRecord) => SessionChange | null,
    admitted?: Promise<unknown>,
  ): Promise<SessionRecord> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      // `admitted` (a rate limit, say) must pass before anything is written or
      // answered; it runs alongside the first read, which spares a round trip.
      const reading = this.store.find(id);
      const record = attempt === 0 && admitted ? (await Promise.all([reading, admitted]))[0] : await reading;
      if (!record) throw notFound();
      authorize(record);
      const change = decide(record);
      if (!change) return record;
      const write: SessionChange = { ...change, writeId: randomUUID() };
      const result = await this.store.update(id, record.version, write).catch((err) => this.settle(err, id, write));
      if (result === 'gone') throw notFound();
      if (result === 'ok') {
        const updated: SessionRecord = { ...record, ...write, version: record.version + 1 };
        this.options.onChange?.(toSnapshot(updated));
        return updated;
      }
    }
    throw new LoginError('invalid_state', 'The login changed concurrently; try again');
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
