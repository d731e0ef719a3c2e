/**
 * The socket's redeem shortcut (LoginService.redeemSeen): a compare-and-set on
 * the version a node has seen confirmed, without reading first. It may only
 * win when nothing changed since; every other case is null, so the caller
 * takes the full redeem, and there is still exactly one token per login.
 */
import { LossyStore } from '../../test/support/lossy-store';
import { ANA, confirmedLogin, testService } from '../../test/support/login-service';
import type { Snapshot } from './types';

function setup(options: { now?: () => number } = {}) {
  const store = new LossyStore({ now: options.now });
  const { service, told, issuedCount } = testService(store, options);
  /** A login confirmed by Ana: its id, secret, and the confirmed snapshot as a node would have pushed it. */
  const confirmed = async () => {
    const login = await confirmedLogin(service);
    const seen = told.at(-1) as Snapshot;
    expect(seen).toMatchObject({ id: login.id, state: 'confirmed', version: 3 });
    return { ...login, seen };
  };
  return { store, service, told, confirmed, issuedCount };
}

test('wins on the version seen confirmed: one token, the redeemed version told, the full redeem then refused', async () => {
  const { service, told, confirmed, issuedCount, store } = setup();
  const { id, secret, seen } = await confirmed();
  await expect(service.redeemSeen(seen)).resolves.toEqual({
    token: 'token-1-for-ana-redeemed',
    tokenType: 'Bearer',
    expiresIn: 60,
    user: ANA,
  });
  await new Promise(setImmediate); // the news follows the answer
  expect(told.at(-1)).toMatchObject({ id, state: 'redeemed', version: 4, user: ANA });
  expect(await service.snapshot(id)).toMatchObject({ state: 'redeemed', version: 4 });
  await expect(service.redeemSeen(seen)).resolves.toBeNull();
  await expect(service.redeem(id, secret)).rejects.toMatchObject({ code: 'already_redeemed' });
  expect(issuedCount()).toBe(1);
  await store.close();
});

test('the token is answered before anyone is told the login is redeemed', async () => {
  const { service, told, confirmed, store } = setup();
  const { seen } = await confirmed();
  const order: string[] = [];
  const answered = service.redeemSeen(seen).then(() => order.push(`answer, told of ${told.at(-1)?.state}`));
  await answered;
  await new Promise(setImmediate);
  expect(order).toEqual(['answer, told of confirmed']);
  expect(told.at(-1)?.state).toBe('redeemed');
  await store.close();
});

test('null, and nothing written, when the session moved on since it was seen', async () => {
  const { service, confirmed, issuedCount, store } = setup();
  const { id, secret, seen } = await confirmed();
  await service.redeem(id, secret); // over HTTP, say, on another node
  await expect(service.redeemSeen(seen)).resolves.toBeNull();
  expect(await service.snapshot(id)).toMatchObject({ state: 'redeemed', version: 4 });
  expect(issuedCount()).toBe(1);
  await store.close();
});

test('null when the session expired after it was seen confirmed', async () => {
  let clock = Date.now();
  const { service, confirmed, issuedCount, store } = setup({ now: () => clock });
  const { id, seen } = await confirmed();
  clock += 60_001;
  await expect(service.redeemSeen(seen)).resolves.toBeNull();
  expect(await service.snapshot(id)).toMatchObject({ state: 'expired' });
  expect(issuedCount()).toBe(0);
  await store.close();
});

test('null without touching the store for a snapshot that is not confirmed', async () => {
  const { service, store } = setup();
  const { record } = await service.create({ ip: '127.0.0.1', userAgent: 'jest' });
  let updates = 0;
  const update = store.update.bind(store);
  store.update = (...args) => (updates++, update(...args));
  await expect(service.redeemSeen({ id: record.id, state: 'scanned', version: 1, expiresAt: new Date().toISOString(), user: ANA })).resolves.toBeNull();
  expect(updates).toBe(0);
  expect(await service.snapshot(record.id)).toMatchObject({ state: 'pending', version: 1 });
  await store.close();
});

test('a shortcut whose reply was lost still gets the one token', async () => {
  const { service, confirmed, issuedCount, store } = setup();
  const { id, secret, seen } = await confirmed();
  store.loseNextReply = true;
  await expect(service.redeemSeen(seen)).resolves.toMatchObject({ token: 'token-1-for-ana-redeemed' });
  await expect(service.redeem(id, secret)).rejects.toMatchObject({ code: 'already_redeemed' });
  expect(issuedCount()).toBe(1);
  await store.close();
});

test('shortcuts and full redeems racing: exactly one token', async () => {
  const { service, confirmed, issuedCount, store } = setup();
  const { id, secret, seen } = await confirmed();
  const answers = await Promise.allSettled([
    ...Array.from({ length: 10 }, () => service.redeemSeen(seen)),
    ...Array.from({ length: 10 }, () => service.redeem(id, secret)),
  ]);
  const tokens = answers.filter((a) => a.status === 'fulfilled' && a.value !== null);
  expect(tokens).toHaveLength(1);
  expect(issuedCount()).toBe(1);
  await store.close();
});
