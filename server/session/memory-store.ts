import { FINAL_STATES, type SessionChange, type SessionRecord } from './types';
import { DEFAULT_RETENTION_MS, type Store } from './store';

export interface MemoryStoreOptions {
  now?: () => number;
  retentionMs?: number;
}

interface Entry {
  record: SessionRecord;
  forgetAt: number;
  sealedAnswer?: { sealed: string; until: number };
}

/**
 * Single-process store for development and tests. Sessions vanish with the
 * process and are invisible to other nodes: never use it behind a load balancer.
 */
export class MemoryStore implements Store {
  private readonly entries = new Map<string, Entry>();
  /** userCode → the session holding it until its expiresAt. */
  private readonly userCodes = new Map<string, { id: string; until: number }>();
  private readonly now: () => number;
  private readonly retentionMs: number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(options: MemoryStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.sweeper = setInterval(() => this.sweep(), 30_000).unref();
  }

  async create(record: SessionRecord): Promise<'ok' | 'user_code_taken'> {
    // As RedisStore: an id is never reused, so a clash is a bug, not a case to overwrite.
    if (this.live(record.id)) throw new Error(`session ${record.id} already exists`);
    if (record.userCode) {
      if (this.userCodeHolder(record.userCode)) return 'user_code_taken';
      this.userCodes.set(record.userCode, { id: record.id, until: record.expiresAt });
    }
    this.entries.set(record.id, { record: structuredClone(record), forgetAt: record.expiresAt + this.retentionMs });
    return 'ok';
  }

  async findByUserCode(userCode: string): Promise<SessionRecord | null> {
    const id = this.userCodeHolder(userCode);
    return id ? this.find(id) : null;
  }

  async find(id: string): Promise<SessionRecord | null> {
    const entry = this.live(id);
    if (!entry) return null;
    const record = structuredClone(entry.record);
    if (entry.sealedAnswer && this.now() < entry.sealedAnswer.until) record.sealedAnswer = entry.sealedAnswer.sealed;
    if (!FINAL_STATES.has(record.state) && this.now() >= record.expiresAt) {
      return { ...record, state: 'expired', version: record.version + 1 };
    }
    return record;
  }

  async update(id: string, expectedVersion: number, change: SessionChange): Promise<'ok' | 'conflict' | 'gone'> {
    const entry = this.live(id);
    if (!entry) return 'gone';
    const { record } = entry;
    if (record.version !== expectedVersion || this.now() >= record.expiresAt) return 'conflict';
    const { keepSealedAnswer, ...fields } = change;
    Object.assign(record, structuredClone(fields), { version: record.version + 1 });
    if (keepSealedAnswer) entry.sealedAnswer = { sealed: keepSealedAnswer.sealed, until: this.now() + keepSealedAnswer.forMs };
    if (FINAL_STATES.has(record.state)) entry.forgetAt = this.now() + this.retentionMs;
    return 'ok';
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.entries.clear();
    this.userCodes.clear();
  }

  private userCodeHolder(userCode: string): string | undefined {
    const held = this.userCodes.get(userCode);
    if (held && this.now() >= held.until) {
      this.userCodes.delete(userCode);
      return undefined;
    }
    return held?.id;
  }

  private live(id: string): Entry | undefined {
    const entry = this.entries.get(id);
    if (entry && this.now() >= entry.forgetAt) {
      this.entries.delete(id);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) if (now >= entry.forgetAt) this.entries.delete(id);
    for (const [userCode, held] of this.userCodes) if (now >= held.until) this.userCodes.delete(userCode);
  }
}
