import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { RedisStore } from '../server/redis/store';
import { newRecord, redisLayoutConformance, storeConformance, type StoreFactory } from './store.conformance';
import { waitFor } from './support/expect';
import { testService } from './support/login-service';

const newPrefix = () => `test:store:${randomBytes(4).toString('hex')}:`;

/** A RedisStore on the run's redis-server, with its own client and key prefix. */
const redisStore: StoreFactory = async ({ retentionMs }) => {
  const client = new Redis(process.env.TEST_REDIS_URL as string);
  const keyPrefix = newPrefix();
  const store = new RedisStore(client, { keyPrefix, retentionMs });
  return {
    store,
    raw: {
      keyPrefix,
      keys: (prefix) => client.keys(`${prefix}*`),
      hash: (key) => client.hgetall(key),
      pttl: (key) => client.pttl(key),
      get: (key) => client.get(key),
      set: (key, value) => client.set(key, value),
      otherPrefix: async () => new RedisStore(client, { keyPrefix: newPrefix() }),
    },
    close: async () => {
      await client.quit();
    },
  };
};

describe('RedisStore', () => {
  storeConformance(redisStore);
  describe('key layout', () => redisLayoutConformance(redisStore));
});

describe('RedisStore on one Redis counts creations in the create script', () => {
  test('within the quota every creation is saved; over it nothing is: no session, no user code claim, and the time left in the window', async () => {
    const { store, raw, close } = await redisStore({});
    try {
      expect(store.countsCreations).toBe(true);
      const quota = { key: '203.0.113.5', points: 2, windowMs: 60_000 };
      expect(await store.create(newRecord(), quota)).toBe('ok');
      expect(await store.create(newRecord(), quota)).toBe('ok');
      const refused = newRecord();
      const over = await store.create(refused, quota);
      expect(over).toEqual({ retryAfterMs: expect.any(Number) });
      expect((over as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
      expect((over as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(60_000);
      expect(await store.find(refused.id)).toBeNull();
      expect(await store.findByUserCode(refused.userCode!)).toBeNull();
      expect((await raw!.keys(raw!.keyPrefix)).filter((key) => key.includes(refused.id))).toEqual([]);
      // The counter is rate-limiter-flexible's layout, so operators read every limit the same way.
      expect(await raw!.get(`${raw!.keyPrefix}ratelimit:create:203.0.113.5`)).toBe('3');
      // Another client, and a creation without a quota, are not affected.
      expect(await store.create(newRecord(), { ...quota, key: '203.0.113.6' })).toBe('ok');
      expect(await store.create(newRecord())).toBe('ok');
    } finally {
      await close();
    }
  });

  test('the window starts at the first creation and a new one begins when it ends', async () => {
    const { store, close } = await redisStore({});
    try {
      const quota = { key: '203.0.113.7', points: 1, windowMs: 300 };
      expect(await store.create(newRecord(), quota)).toBe('ok');
      expect(await store.create(newRecord(), quota)).toEqual({ retryAfterMs: expect.any(Number) });
      await waitFor(async () => (await store.create(newRecord(), quota)) === 'ok');
    } finally {
      await close();
    }
  });

  test('a creation whose user code is taken saves nothing and spends no second point when the service draws again', async () => {
    const { store, raw, close } = await redisStore({});
    try {
      const quota = { key: '203.0.113.8', points: 5, windowMs: 60_000 };
      const holder = newRecord();
      expect(await store.create(holder)).toBe('ok');
      const clash = newRecord({ userCode: holder.userCode });
      expect(await store.create(clash, quota)).toBe('user_code_taken');
      expect(await store.find(clash.id)).toBeNull();
      const free = newRecord().userCode!;
      const codes = [holder.userCode!, free];
      const { service } = testService(store, { newUserCode: () => codes.shift()! });
      const created = await service.create({ ip: '203.0.113.8', userAgent: 'jest' }, quota);
      expect('record' in created ? created.record.userCode : created).toBe(free);
      expect(await raw!.get(`${raw!.keyPrefix}ratelimit:create:203.0.113.8`)).toBe('2');
    } finally {
      await close();
    }
  });
});

describe('RedisStore on one Redis sends the creations of one event-loop turn as one script', () => {
  /** A store whose client counts the scripts it sends (EVALSHA, or EVAL when Redis lacks the script). */
  async function countingScripts() {
    const client = new Redis(process.env.TEST_REDIS_URL as string);
    const store = new RedisStore(client, { keyPrefix: newPrefix() });
    let scripts = 0;
    const send = client.sendCommand.bind(client);
    client.sendCommand = (command, stream) => {
      if (/^eval/i.test(command.name)) scripts++;
      return send(command, stream);
    };
    // The first use loads the script (EVALSHA, NOSCRIPT, then EVAL); counted from here on.
    expect(await store.create(newRecord())).toBe('ok');
    scripts = 0;
    return { store, scripts: () => scripts, close: () => client.quit() };
  }

  test('each creation gets its own answer: saved, over its quota, or its user code taken', async () => {
    const { store, scripts, close } = await countingScripts();
    try {
      const quota = { key: '198.51.100.4', points: 2, windowMs: 60_000 };
      const first = newRecord();
      const records = [first, newRecord(), newRecord(), newRecord({ userCode: first.userCode }), newRecord()];
      const answers = await Promise.all([
        store.create(records[0]!, quota),
        store.create(records[1]!, quota),
        store.create(records[2]!, quota),
        store.create(records[3]!),
        store.create(records[4]!),
      ]);
      expect(answers).toEqual(['ok', 'ok', { retryAfterMs: expect.any(Number) }, 'user_code_taken', 'ok']);
      expect(scripts()).toBe(1);
      // Only the saved ones were written, each with its own fields.
      const found = await Promise.all(records.map((record) => store.find(record.id)));
      expect(found.map((record) => record?.id ?? null)).toEqual([records[0]!.id, records[1]!.id, null, null, records[4]!.id]);
      expect(found[4]).toMatchObject({ userCode: records[4]!.userCode, ip: records[4]!.ip, state: 'pending' });
      expect((await store.findByUserCode(first.userCode!))?.id).toBe(first.id);
    } finally {
      await close();
    }
  });

  test('a burst is cut into scripts of at most 100 creations (Redis runs nothing else meanwhile)', async () => {
    const { store, scripts, close } = await countingScripts();
    try {
      const answers = await Promise.all(Array.from({ length: 150 }, () => store.create(newRecord())));
      expect(answers.every((answer) => answer === 'ok')).toBe(true);
      expect(scripts()).toBe(2);
    } finally {
      await close();
    }
  });

  test('creations of different turns do not wait for each other: one script each', async () => {
    const { store, scripts, close } = await countingScripts();
    try {
      for (let i = 1; i <= 3; i++) {
        expect(await store.create(newRecord())).toBe('ok');
        expect(scripts()).toBe(i);
      }
    } finally {
      await close();
    }
  });

  test('a batch holding an id that exists fails that creation alone', async () => {
    const { store, close } = await countingScripts();
    try {
      const taken = newRecord();
      expect(await store.create(taken)).toBe('ok');
      const fresh = newRecord();
      const [again, other] = await Promise.allSettled([store.create({ ...taken, userCode: undefined }), store.create(fresh)]);
      expect(again).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: expect.stringContaining('already exists') }) });
      expect(other).toEqual({ status: 'fulfilled', value: 'ok' });
    } finally {
      await close();
    }
  });
});

describe('RedisStore field values', () => {
  test('a created session reads back byte for byte, whatever its User-Agent holds (a lone surrogate, which has no UTF-8, as U+FFFD)', async () => {
    const { store, close } = await redisStore({});
    try {
      const userAgent = 'Mozilla/5.0 é \u0001 "quoted" \\ {"json": [1]} 😀 \ud800 end';
      for (const quota of [undefined, { key: '203.0.113.9', points: 5, windowMs: 60_000 }]) {
        const record = newRecord({ userAgent });
        expect(await store.create(record, quota)).toBe('ok');
        expect((await store.find(record.id))?.userAgent).toBe(userAgent.replace('\ud800', '\uFFFD'));
      }
    } finally {
      await close();
    }
  });
});
