import type { Cluster, Redis } from 'ioredis';
import { StoreUnavailableError } from '../errors';
import type { DeviceStore, SignOutResult } from '../devices/device-store';
import { newestFirst, SIGN_OUT_REASONS, type Device, type SignOutReason } from '../devices/types';
import { deviceKeyBase, SIGNED_OUT_SUFFIX, userDevicesKey } from './device-keys';

// Every script works on one user's keys (one Cluster slot, the user's hash tag);
// the per-device keys are built from ARGV's key base, since their sids come from the index.
// Expired devices leave the index by ZREMRANGEBYSCORE on each write and read: no keyspace scan.

// KEYS: index. ARGV: sid, expiresAt, maxPerUser, now, key base, signed-out suffix, then the hash's field/value pairs.
const ADD = `
local index, sid, expiresAt, base, out = KEYS[1], ARGV[1], ARGV[2], ARGV[5], ARGV[6]
redis.call('ZREMRANGEBYSCORE', index, '-inf', ARGV[4])
redis.call('HSET', base .. sid, unpack(ARGV, 7))
redis.call('PEXPIREAT', base .. sid, expiresAt)
redis.call('ZADD', index, expiresAt, sid)
local dropped = {}
local over = redis.call('ZCARD', index) - tonumber(ARGV[3])
if over > 0 then
  local oldest = redis.call('ZRANGE', index, 0, over - 1, 'WITHSCORES')
  for i = 1, #oldest, 2 do
    redis.call('DEL', base .. oldest[i])
    redis.call('SET', base .. oldest[i] .. out, 'revoked', 'PXAT', oldest[i + 1])
    table.insert(dropped, oldest[i])
  end
  redis.call('ZREMRANGEBYRANK', index, 0, over - 1)
end
local last = redis.call('ZRANGE', index, -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', index, last[2])
return dropped`;

// KEYS: index. ARGV: now, key base. Returns sid, fields, sid, fields, … (newest expiry first).
const LIST = `
local index, base = KEYS[1], ARGV[2]
redis.call('ZREMRANGEBYSCORE', index, '-inf', ARGV[1])
local out = {}
for _, sid in ipairs(redis.call('ZREVRANGE', index, 0, -1)) do
  local fields = redis.call('HGETALL', base .. sid)
  if #fields > 0 then
    table.insert(out, sid)
    table.insert(out, fields)
  else
    redis.call('ZREM', index, sid)
  end
end
return out`;

// KEYS: index. ARGV: sid, reason, now, key base, signed-out suffix, token expiry ('' when unknown).
const SIGN_OUT = `
local index, sid, base = KEYS[1], ARGV[1], ARGV[4]
local out = base .. sid .. ARGV[5]
if redis.call('EXISTS', out) == 1 then return 'already' end
local expiresAt = redis.call('HGET', base .. sid, 'expiresAt') or ARGV[6]
redis.call('ZREM', index, sid)
redis.call('DEL', base .. sid)
if expiresAt == '' or tonumber(expiresAt) <= tonumber(ARGV[3]) then return 'not_found' end
redis.call('SET', out, ARGV[2], 'PXAT', expiresAt)
return 'signed_out'`;

type Client = Redis | Cluster;
interface ScriptedClient {
  qrloginDeviceAdd(index: string, ...args: (string | number)[]): Promise<string[]>;
  qrloginDeviceList(index: string, ...args: (string | number)[]): Promise<[string, string[]][] | (string | string[])[]>;
  qrloginDeviceSignOut(index: string, ...args: (string | number)[]): Promise<SignOutResult>;
}

/** Linked devices in Redis (layout in device-keys.ts): one Lua script per change, TTLs at each token's expiry. */
export class RedisDeviceStore implements DeviceStore {
  private readonly redis: Client & ScriptedClient;

  constructor(
    client: Client,
    private readonly keyPrefix = 'qrlogin:',
  ) {
    client.defineCommand('qrloginDeviceAdd', { numberOfKeys: 1, lua: ADD });
    client.defineCommand('qrloginDeviceList', { numberOfKeys: 1, lua: LIST });
    client.defineCommand('qrloginDeviceSignOut', { numberOfKeys: 1, lua: SIGN_OUT });
    this.redis = client as Client & ScriptedClient;
  }

  async add(device: Device, maxPerUser: number, now: number): Promise<string[]> {
    const { userId, sid } = device;
    return this.call(() =>
      this.redis.qrloginDeviceAdd(
        userDevicesKey(this.keyPrefix, userId), sid, device.expiresAt, maxPerUser, now,
        deviceKeyBase(this.keyPrefix, userId), SIGNED_OUT_SUFFIX, ...toFields(device),
      ),
    );
  }

  async list(userId: string, now: number): Promise<Device[]> {
    const flat = await this.call(() =>
      this.redis.qrloginDeviceList(userDevicesKey(this.keyPrefix, userId), now, deviceKeyBase(this.keyPrefix, userId)),
    );
    const devices: Device[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const device = fromFields(userId, flat[i] as string, flat[i + 1] as string[]);
      if (device) devices.push(device);
    }
    // Scored by expiry; the phone wants the newest login first.
    return devices.sort(newestFirst);
  }

  async signOut(userId: string, sid: string, reason: SignOutReason, now: number, tokenExpiresAt?: number): Promise<SignOutResult> {
    return this.call(() =>
      this.redis.qrloginDeviceSignOut(
        userDevicesKey(this.keyPrefix, userId), sid, reason, now,
        deviceKeyBase(this.keyPrefix, userId), SIGNED_OUT_SUFFIX, tokenExpiresAt ?? '',
      ),
    );
  }

  async signedOut(userId: string, sid: string): Promise<SignOutReason | null> {
    const reason = await this.call(() => this.redis.get(deviceKeyBase(this.keyPrefix, userId) + sid + SIGNED_OUT_SUFFIX));
    if (reason === null) return null;
    // Anything else written there still means "signed out": refuse rather than trust it.
    return SIGN_OUT_REASONS.includes(reason as SignOutReason) ? (reason as SignOutReason) : 'revoked';
  }

  async close(): Promise<void> {
    // The client belongs to whoever created it (server/store/connect.ts).
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (err) {
      throw new StoreUnavailableError(err);
    }
  }
}

function toFields(d: Device): string[] {
  return ['browser', d.browser, 'os', d.os, 'ip', d.ip, 'createdAt', String(d.createdAt), 'expiresAt', String(d.expiresAt)];
}

function fromFields(userId: string, sid: string, flat: string[]): Device | null {
  const h: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i] as string] = flat[i + 1] as string;
  const createdAt = Number(h.createdAt);
  const expiresAt = Number(h.expiresAt);
  // A hash not of this layout (written by hand, half-deleted) is left out.
  if (!Number.isFinite(createdAt) || !Number.isFinite(expiresAt)) return null;
  return { sid, userId, browser: h.browser ?? '', os: h.os ?? '', ip: h.ip ?? '', createdAt, expiresAt };
}
