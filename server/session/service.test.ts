/**
 * The service over a store whose replies can be lost: a write that ran but
 * whose answer never came back (a Redis connection killed mid-command) must
 * neither lose the login nor give a second token.
 */
import { StoreUnavailableError } from '../errors';
import { MemoryStore } from '../store/memory';
import type { Store } from '../store/store';
import { LossyStore } from '../../test/support/lossy-store';
import { LoginService } from './service';

const ANA = { id: 'ana', displayName: 'Ana' };

function setup(store: Store) {
  let issued = 0;
  const service = new LoginService({
    store,
    publicUrl: 'http://127.0.0.1:1',
    ttlMs: 60_000,
    confirmWindowMs: 60_000,
    issueWebToken: async () => ({ token: `token-${++issued}`, expiresIn: 60 }),
  });
  return { service, issuedCount: () => issued };
}

async function confirmedLogin(service: LoginService) {
  const { record, secret } = await service.create({ ip: '127.0.0.1', userAgent: 'jest' });
  await service.scan(record.id, record.code, ANA);
  await service.confirm(record.id, record.code, ANA.id);
  return { id: record.id, secret };
}

test('a redeem whose reply was lost still gets the one token; a retry is already_redeemed', async () => {
  const store = new LossyStore();
  const { service, issuedCount } = setup(store);
  const { id, secret } = await confirmedLogin(service);
  store.loseNextReply = true;
  await expect(service.redeem(id, secret)).resolves.toMatchObject({ token: 'token-1', user: ANA });
  await expect(service.redeem(id, secret)).rejects.toMatchObject({ code: 'already_redeemed' });
  expect(issuedCount()).toBe(1);
  await store.close();
});

test('a confirm whose reply was lost answers as confirmed, not as a conflict', async () => {
  const store = new LossyStore();
  const { service } = setup(store);
  const { record } = await service.create({ ip: '127.0.0.1', userAgent: 'jest' });
  await service.scan(record.id, record.code, ANA);
  store.loseNextReply = true;
  await expect(service.confirm(record.id, record.code, ANA.id)).resolves.toMatchObject({ state: 'confirmed', version: 3 });
  await store.close();
});

test('a failure before sending is a 503 at once, without re-reading', async () => {
  const store = new MemoryStore();
  const { service } = setup(store);
  const { id, secret } = await confirmedLogin(service);
  let finds = 0;
  const down: Store = {
    create: (r) => store.create(r),
    find: (i) => (finds++, store.find(i)),
    update: async () => {
      throw new StoreUnavailableError(new Error("Stream isn't writeable"), false);
    },
    ping: () => store.ping(),
    close: () => store.close(),
  };
  const { service: failing } = setup(down);
  await expect(failing.redeem(id, secret)).rejects.toBeInstanceOf(StoreUnavailableError);
  expect(finds).toBe(1);
  expect(await service.snapshot(id)).toMatchObject({ state: 'confirmed' });
  await store.close();
});
