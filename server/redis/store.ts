import DataLoader from 'dataloader';
import type { Cluster, Redis } from 'ioredis';
import { StoreUnavailableError } from '../errors';
import { FINAL_STATES, STATES, type SessionChange, type SessionRecord, type State } from '../session/types';
import { creationCounterKey, sealedAnswerKey, sessionKey, ttlKey, userCodeKey } from './keys';
import { CREATE, CREATE_ON_ONE_REDIS, FIND, UPDATE } from './session-scripts';
import { DEFAULT_RETENTION_MS, type CreationQuota, type OverQuota, type Store } from '../session/store';

type Client = Redis | Cluster;
type CreateResult = 'ok' | 'user_code_taken' | OverQuota;
interface Creation {
  record: SessionRecord;
  quota: CreationQuota | undefined;
  ttlMs: number;
}
interface ScriptedClient {
  qrloginCreate(k1: string, k2: string, ...args: (string | number)[]): Promise<number>;
  qrloginCreateOnOneRedis(numberOfKeys: number, ...keysThenArgs: string[]): Promise<number[]>;
  qrloginFind(k1: string, k2: string, k3: string): Promise<string[] | null>;
  qrloginUpdate(k1: string, k2: string, k3: string, ...args: (string | number)[]): Promise<'ok' | 'conflict' | 'gone'>;
}

export interface RedisStoreOptions {
  keyPrefix?: string;
  retentionMs?: number;
  now?: () => number;
}

/**
 * Sessions as Redis hashes (layout in keys.ts, scripts in session-scripts.ts). Every state change is one
 * Lua script, so it is atomic across nodes; the browser secret is kept only as
 * a hash; expiry is a Redis TTL, so the session dies even if every node does.
 */
export class RedisStore implements Store {
  private readonly redis: Client & ScriptedClient;
  readonly keyPrefix: string;
  private readonly retentionMs: number;
  private readonly now: () => number;
  private readonly isCluster: boolean;
  /** The creations asked during this event-loop turn, sent as one script at its end (one Redis only). */
  private readonly creations = new DataLoader<Creation, CreateResult>((batch) => this.createOnOneRedis(batch), {
    cache: false,
    batchScheduleFn: (send) => setImmediate(send),
    // A burst is cut into scripts of at most this many: Redis runs nothing else while one runs.
    maxBatchSize: 100,
  });

  constructor(client: Client, options: RedisStoreOptions = {}) {
    this.keyPrefix = options.keyPrefix ?? 'qrlogin:';
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.now = options.now ?? Date.now;
    this.isCluster = (client as Cluster).isCluster === true;
    client.defineCommand('qrloginCreate', { numberOfKeys: 2, lua: CREATE });
    client.defineCommand('qrloginCreateOnOneRedis', { lua: CREATE_ON_ONE_REDIS });
    client.defineCommand('qrloginFind', { numberOfKeys: 3, lua: FIND });
    client.defineCommand('qrloginUpdate', { numberOfKeys: 3, lua: UPDATE });
    this.redis = client as Client & ScriptedClient;
  }

  get countsCreations(): boolean {
    return !this.isCluster;
  }

  create(record: SessionRecord, quota?: CreationQuota): Promise<CreateResult> {
    const ttlMs = Math.max(1, record.expiresAt - this.now());
    return this.isCluster ? this.createInCluster(record, ttlMs, quota) : this.creations.load({ record, quota, ttlMs });
  }

  private async createInCluster(record: SessionRecord, ttlMs: number, quota: CreationQuota | undefined): Promise<CreateResult> {
    const keys = [sessionKey(this.keyPrefix, record.id), ttlKey(this.keyPrefix, record.id)] as const;
    const { userCode } = record;
    if (quota) throw new Error('a Redis Cluster store does not count creations: count them before creating');
    const creating = this.call(() => this.redis.qrloginCreate(...keys, ttlMs, ttlMs + this.retentionMs, ...toFields(record)));
    if (!userCode) {
      if ((await creating) !== 1) throw new Error(`session ${record.id} already exists`);
      return 'ok';
    }
    // In a Cluster the user code's claim goes out beside the session's script (one round
    // trip): its key is in another slot, so one script cannot hold both. A session whose
    // claim lost is deleted before anyone learnt its id.
    const claiming = this.call(() => this.redis.set(userCodeKey(this.keyPrefix, userCode), record.id, 'PX', ttlMs, 'NX'));
    const [created, claimed] = await Promise.allSettled([creating, claiming]);
    if (created.status === 'rejected') throw created.reason;
    if (claimed.status === 'rejected') throw claimed.reason;
    if (created.value !== 1) {
      if (claimed.value === 'OK') await this.call(() => this.redis.del(userCodeKey(this.keyPrefix, userCode)));
      throw new Error(`session ${record.id} already exists`);
    }
    if (claimed.value === 'OK') return 'ok';
    await this.call(() => this.redis.del(...keys));
    return 'user_code_taken';
  }

  /**
   * One script for every creation of a turn (CREATE_ON_ONE_REDIS): under load
   * a turn serves many login pages, and each command costs the node ioredis's
   * work and a promise whatever its size (docs/BENCHMARKS.md, creation).
   */
  private async createOnOneRedis(batch: readonly Creation[]): Promise<(CreateResult | Error)[]> {
    const keys: string[] = [];
    const creations = batch.map(({ record, quota, ttlMs }) => {
      keys.push(
        sessionKey(this.keyPrefix, record.id),
        ttlKey(this.keyPrefix, record.id),
        userCodeKey(this.keyPrefix, record.userCode ?? ''),
        creationCounterKey(this.keyPrefix, quota?.key ?? ''),
      );
      return [ttlMs, ttlMs + this.retentionMs, record.id, Boolean(record.userCode), quota?.points ?? 0, quota?.windowMs ?? 0, fieldsObject(record)];
    });
    const results = await this.call(() => this.redis.qrloginCreateOnOneRedis(keys.length, ...keys, JSON.stringify(creations)));
    return batch.map(({ record }, i) => {
      const [result, msLeft = 0] = [results[2 * i], results[2 * i + 1]];
      if (result === 1) return 'ok';
      if (result === 2) return 'user_code_taken';
      if (result === 3) return { retryAfterMs: Math.max(0, msLeft) };
      // Only a 1 is a saved session: anything else, an answer missing included, is a failed creation.
      return new Error(result === 0 ? `session ${record.id} already exists` : `unexpected answer to creating ${record.id}: ${result}`);
    });
  }

  async findByUserCode(userCode: string): Promise<SessionRecord | null> {
    const id = await this.call(() => this.redis.get(userCodeKey(this.keyPrefix, userCode)));
    if (!id) return null;
    const record = await this.find(id);
    // A claim whose session was never written (a create that failed half-way) points at nothing.
    return record?.userCode === userCode ? record : null;
  }

  async find(id: string): Promise<SessionRecord | null> {
    const flat = await this.call(() => this.redis.qrloginFind(...this.keys(id)));
    if (!flat) return null;
    const hash: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i] as string] = flat[i + 1] as string;
    const record = fromHash(id, hash);
    if (!record) return null;
    if (hash._sealedAnswer) record.sealedAnswer = hash._sealedAnswer;
    if (!FINAL_STATES.has(record.state) && hash._live === '0') {
      return { ...record, state: 'expired', version: record.version + 1 };
    }
    return record;
  }

  async update(id: string, expectedVersion: number, change: SessionChange): Promise<'ok' | 'conflict' | 'gone'> {
    const final = FINAL_STATES.has(change.state) ? '1' : '0';
    const keep = change.keepSealedAnswer;
    return this.call(() =>
      this.redis.qrloginUpdate(
        ...this.keys(id),
        expectedVersion,
        final,
        this.retentionMs,
        keep?.sealed ?? '',
        Math.max(1, Math.round(keep?.forMs ?? 1)),
        ...toFields(change),
      ),
    );
  }

  async ping(): Promise<void> {
    await this.call(() => this.redis.ping());
  }

  async close(): Promise<void> {
    // The client belongs to whoever created it; see server/redis/connect.ts.
  }

  private keys(id: string): [string, string, string] {
    return [sessionKey(this.keyPrefix, id), ttlKey(this.keyPrefix, id), sealedAnswerKey(this.keyPrefix, id)];
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (err) {
      // ioredis refuses at once, without sending, while it is not connected; any other failure
      // (a timeout, a connection dropped mid-command) leaves open whether Redis ran the command.
      const notSent = /isn't writeable|isn't ready|Connection is closed/.test((err as Error)?.message ?? '');
      throw new StoreUnavailableError(err, !notSent);
    }
  }
}

/** The same fields as one object (CREATE_ON_ONE_REDIS takes them as JSON). */
function fieldsObject(record: SessionRecord): Record<string, string> {
  const pairs = toFields(record);
  const out: Record<string, string> = {};
  // A lone surrogate has no UTF-8 form: Redis's cjson refuses its JSON escape, where an
  // argument of its own went out as U+FFFD. The same replacement, made here.
  for (let i = 0; i + 1 < pairs.length; i += 2) out[pairs[i]!] = pairs[i + 1]!.toWellFormed();
  return out;
}

/** Flattens a record or change into HSET field/value pairs (the documented hash layout). */
function toFields(value: Partial<SessionRecord>): string[] {
  const out: string[] = [];
  const put = (field: string, v: string | number | undefined) => {
    if (v !== undefined) out.push(field, String(v));
  };
  put('state', value.state);
  put('version', value.version);
  put('secretHash', value.secretHash);
  put('code', value.code);
  put('userCode', value.userCode);
  put('createdAt', value.createdAt);
  put('expiresAt', value.expiresAt);
  put('ip', value.ip);
  put('userAgent', value.userAgent);
  put('userId', value.user?.id);
  put('userName', value.user?.displayName);
  put('userAvatar', value.user?.avatarUrl);
  put('scannedAt', value.scannedAt);
  put('writeId', value.writeId);
  return out;
}

function fromHash(id: string, h: Record<string, string>): SessionRecord | null {
  const state = h.state as State;
  const version = Number(h.version);
  // A hash that does not follow the layout (written by hand, half-deleted) is treated as unknown.
  if (!STATES.includes(state) || !Number.isInteger(version) || !h.secretHash || !h.code) return null;
  const record: SessionRecord = {
    id,
    state,
    version,
    secretHash: h.secretHash,
    code: h.code,
    createdAt: Number(h.createdAt),
    expiresAt: Number(h.expiresAt),
    ip: h.ip ?? '',
    userAgent: h.userAgent ?? '',
  };
  if (h.userId) {
    record.user = { id: h.userId, displayName: h.userName || h.userId };
    if (h.userAvatar) record.user.avatarUrl = h.userAvatar;
  }
  if (h.userCode) record.userCode = h.userCode;
  if (h.scannedAt) record.scannedAt = Number(h.scannedAt);
  if (h.writeId) record.writeId = h.writeId;
  return record;
}
