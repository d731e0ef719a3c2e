/**
 * The socket's redeem shortcut (LoginService.redeemSeen): a compare-and-set on
 * the version a node has seen confirmed, without reading first. It may only
 * win when nothing changed since; every other case is null, so the caller
 * takes the full redeem, and there is still exactly one token per login: the
 * one written (sealed) with `redeemed`, which a repeat redeem gets again.
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

test('wins on the version seen confirmed: one token, the redeemed version told, a full redeem then answers it again', async () => {
  const { service, told, confirmed, issuedCount, store } = setup();
  const { id, secret, seen } = await confirmed();
  await expect(service.redeemSeen(seen, secret)).resolves.toEqual({
    token: 'token-1-for-ana-redeemed',
    tokenType: 'Bearer',
    expiresIn: 60,
    user: ANA,
    sid: id,
  });
  await new Promise(setImmediate); // the news follows the answer
  expect(told.at(-1)).toMatchObject({ id, state: 'redeemed', version: 4, user: ANA });
  expect(await service.snapshot(id)).toMatchObject({ state: 'redeemed', version: 4 });
  await expect(service.redeemSeen(seen, secret)).resolves.toBeNull();
  await expect(service.redeem(id, secret)).resolves.toMatchObject({ token: 'token-1-for-ana-redeemed', user: ANA });
  expect(issuedCount()).toBe(2); // the second shortcut minted one, lost its compare-and-set, and nobody saw it
  await store.close();
});

test('the token is answered before anyone is told the login is redeemed', async () => {
  const { service, told, confirmed, store } = setup();
  const { seen, secret } = await confirmed();
  const order: string[] = [];
  const answered = service.redeemSeen(seen, secret).then(() => order.push(`answer, told of ${told.at(-1)?.state}`));
  await answered;
  await new Promise(setImmediate);
  expect(order).toEqual(['answer, told of confirmed']);
  expect(told.at(-1)?.state).toBe('redeemed');
  await store.close();
});

test('null, and nothing written, when the session moved on since it was seen', async () => {
  const { service, confirmed, store } = setup();
  const { id, secret, seen } = await confirmed();
  const first = await service.redeem(id, secret); // over HTTP, say, on another node
  const sealed = (await store.find(id))?.sealedAnswer;
  await expect(service.redeemSeen(seen, secret)).resolves.toBeNull();
  expect(await store.find(id)).toMatchObject({ state: 'redeemed', version: 4, sealedAnswer: sealed });
  await expect(service.redeem(id, secret)).resolves.toEqual({ ...first, expiresIn: expect.any(Number) });
  await store.close();
});

test('null when the session expired after it was seen confirmed', async () => {
  let clock = Date.now();
  const { service, confirmed, issuedCount, store } = setup({ now: () => clock });
  const { id, secret, seen } = await confirmed();
  clock += 60_001;
  await expect(service.redeemSeen(seen, secret)).resolves.toBeNull();
  expect(await service.snapshot(id)).toMatchObject({ state: 'expired' });
  expect(await store.find(id)).not.toHaveProperty('sealedAnswer');
  expect(issuedCount()).toBe(1); // minted for the compare-and-set, which expiry refused: never answered
  await store.close();
});

test('null without touching the store for a snapshot that is not confirmed', async () => {
  const { service, store } = setup();
  const { record } = await service.create({ ip: '127.0.0.1', userAgent: 'jest' });
  let updates = 0;
  const update = store.update.bind(store);
  store.update = (...args) => (updates++, update(...args));
  const scanned = { id: record.id, state: 'scanned' as const, version: 1, expiresAt: new Date().toISOString(), user: ANA };
  await expect(service.redeemSeen(scanned, 'any-secret')).resolves.toBeNull();
  expect(updates).toBe(0);
  expect(await service.snapshot(record.id)).toMatchObject({ state: 'pending', version: 1 });
  await store.close();
});

test('a shortcut whose reply was lost still gets the one token', async () => {
  const { service, confirmed, issuedCount, store } = setup();
  const { id, secret, seen } = await confirmed();
  store.loseNextReply = true;
  await expect(service.redeemSeen(seen, secret)).resolves.toMatchObject({ token: 'token-1-for-ana-redeemed' });
  await expect(service.redeem(id, secret)).resolves.toMatchObject({ token: 'token-1-for-ana-redeemed' });
  expect(issuedCount()).toBe(1);
  await store.close();
});

test('shortcuts and full redeems racing: exactly one token, which every full redeem answers', async () => {
  const { service, confirmed, store } = setup();
  const { id, secret, seen } = await confirmed();
  const [shortcuts, full] = await Promise.all([
    Promise.all(Array.from({ length: 10 }, () => service.redeemSeen(seen, secret))),
    Promise.all(Array.from({ length: 10 }, () => service.redeem(id, secret))),
  ]);
  const won = shortcuts.filter((answer) => answer !== null);
  expect(won.length).toBeLessThanOrEqual(1);
  const tokens = new Set([...won, ...full].map((answer) => answer?.token));
  expect(tokens.size).toBe(1);
  expect(full).toHaveLength(10);
  await store.close();
});
