/**
 * The service over a store whose replies can be lost: a write that ran but
 * whose answer never came back (a Redis connection killed mid-command) must
 * neither lose the login nor give a second token.
 */
import { StoreUnavailableError } from '../errors';
import { MemoryStore } from './memory-store';
import type { Store } from './store';
import { LossyStore } from '../../test/support/lossy-store';
import { ANA, confirmedLogin, testService } from '../../test/support/login-service';

test('a redeem whose reply was lost still gets the one token; a retry gets it again', async () => {
  const store = new LossyStore();
  const { service, issuedCount } = testService(store);
  const { id, secret } = await confirmedLogin(service);
  store.loseNextReply = true;
  await expect(service.redeem(id, secret)).resolves.toMatchObject({ token: 'token-1-for-ana-redeemed', user: ANA });
  await expect(service.redeem(id, secret)).resolves.toMatchObject({ token: 'token-1-for-ana-redeemed', user: ANA });
  expect(issuedCount()).toBe(1);
  await store.close();
});

test('a confirm whose reply was lost answers as confirmed, not as a conflict', async () => {
  const store = new LossyStore();
  const { service } = testService(store);
  const { record } = await service.create({ ip: '127.0.0.1', userAgent: 'jest' });
  await service.scan(record.id, record.code, ANA);
  store.loseNextReply = true;
  await expect(service.confirm(record.id, record.code, ANA.id)).resolves.toMatchObject({ state: 'confirmed', version: 3 });
  await store.close();
});

test('a failure before sending is a 503 at once, without re-reading', async () => {
  const store = new MemoryStore();
  const { service } = testService(store);
  const { id, secret } = await confirmedLogin(service);
  let finds = 0;
  const down: Store = {
    create: (r) => store.create(r),
    find: (i) => (finds++, store.find(i)),
    findByUserCode: (c) => store.findByUserCode(c),
    update: async () => {
      throw new StoreUnavailableError(new Error("Stream isn't writeable"), false);
    },
    ping: () => store.ping(),
    close: () => store.close(),
  };
  const { service: failing } = testService(down);
  await expect(failing.redeem(id, secret)).rejects.toBeInstanceOf(StoreUnavailableError);
  expect(finds).toBe(1);
  expect(await service.snapshot(id)).toMatchObject({ state: 'confirmed' });
  await store.close();
});
