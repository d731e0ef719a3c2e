/**
 * PROTOCOL.md v1.1: a repeat redeem with the secret, within the re-delivery
 * window, answers the same token again; past it, already_redeemed; without
 * the secret, not_found. The store keeps the token only sealed under a key
 * derived from the secret, written in one step with `redeemed`.
 */
import { openAnswer, sealAnswer } from './sealed-answer';
import { hashSecret } from './secrets';
import { StoreUnavailableError } from '../errors';
import { MemoryStore } from './memory-store';
import { LoginService } from './service';
import { LossyStore } from '../../test/support/lossy-store';
import { ANA, confirmedLogin, testService } from '../../test/support/login-service';

function setup(redeliveryMs = 60_000) {
  let clock = Date.now();
  const now = () => clock;
  const store = new LossyStore({ now });
  const { service, issuedCount } = testService(store, { now, redeliveryMs });
  return { store, service, issuedCount, advance: (ms: number) => (clock += ms) };
}

test('a repeat redeem within the window answers the same token, with the time it has left', async () => {
  const { store, service, issuedCount, advance } = setup(90_000);
  const { id, secret } = await confirmedLogin(service);
  const first = await service.redeem(id, secret);
  expect(first).toEqual({ token: 'token-1-for-ana-redeemed', tokenType: 'Bearer', expiresIn: 60, user: ANA, sid: id });
  advance(20_000);
  await expect(service.redeem(id, secret)).resolves.toEqual({ ...first, expiresIn: 40 });
  advance(39_000);
  await expect(service.redeem(id, secret)).resolves.toEqual({ ...first, expiresIn: 1 });
  expect(issuedCount()).toBe(1);
  await store.close();
});

test('past the window the repeat is already_redeemed; a wrong or missing secret is not_found throughout', async () => {
  const { store, service, advance } = setup(30_000); // shorter than the token's 60 s
  const { id, secret } = await confirmedLogin(service);
  await expect(service.redeem(id, secret)).resolves.toMatchObject({ token: 'token-1-for-ana-redeemed' });
  await expect(service.redeem(id, `${secret}x`)).rejects.toMatchObject({ code: 'not_found' });
  await expect(service.redeem(id, undefined)).rejects.toMatchObject({ code: 'not_found' });
  advance(29_999);
  await expect(service.redeem(id, secret)).resolves.toMatchObject({ token: 'token-1-for-ana-redeemed' });
  advance(1);
  await expect(service.redeem(id, secret)).rejects.toMatchObject({ code: 'already_redeemed' });
  await expect(service.redeem(id, `${secret}x`)).rejects.toMatchObject({ code: 'not_found' });
  await store.close();
});

test('the window is never longer than the token lives', async () => {
  let clock = Date.now();
  const store = new MemoryStore({ now: () => clock });
  const { service } = testService(store, { now: () => clock, redeliveryMs: 120_000 }); // tokens live 60 s
  const { id, secret } = await confirmedLogin(service);
  await service.redeem(id, secret);
  clock += 60_000;
  await expect(service.redeem(id, secret)).rejects.toMatchObject({ code: 'already_redeemed' });
  await store.close();
});

test('the store holds the token only sealed, under a key the stored hash does not give', async () => {
  const { store, service } = setup();
  const { id, secret } = await confirmedLogin(service);
  const { token } = await service.redeem(id, secret);
  const stored = await store.find(id);
  expect(stored?.sealedAnswer).toEqual(expect.stringMatching(/^v1\./));
  expect(JSON.stringify(stored)).not.toContain(token);
  expect(JSON.stringify(stored)).not.toContain(secret);
  expect(openAnswer(secret, id, stored?.sealedAnswer as string)).toMatchObject({ token });
  // Neither the hash the store keeps, nor the secret with another session's id, opens it.
  expect(openAnswer(hashSecret(secret), id, stored?.sealedAnswer as string)).toBeNull();
  expect(openAnswer(secret, '00000000-0000-4000-8000-000000000000', stored?.sealedAnswer as string)).toBeNull();
  await store.close();
});

test('a sealed answer that does not open (altered in the store) is already_redeemed, never another token', async () => {
  const { store, service, issuedCount } = setup();
  const { id, secret } = await confirmedLogin(service);
  await service.redeem(id, secret);
  const find = store.find.bind(store);
  store.find = async (i) => {
    const record = await find(i);
    return record && { ...record, sealedAnswer: sealAnswer('another-secret', id, { token: 'forged', expiresAt: Date.now() + 60_000 }) };
  };
  await expect(service.redeem(id, secret)).rejects.toMatchObject({ code: 'already_redeemed' });
  expect(issuedCount()).toBe(1);
  await store.close();
});

test('the node that wrote the redeem failed before answering: a retry elsewhere gets the token written with it', async () => {
  const store = new LossyStore();
  const { service: failing } = testService(store);
  const { id, secret } = await confirmedLogin(failing);
  const firstRead = store.find(id);
  // The write runs, its reply is lost, and every re-read fails too: that node answers 503, not the token.
  const find = store.find.bind(store);
  store.find = () => Promise.reject(new StoreUnavailableError(new Error('connection lost'), true));
  store.loseNextReply = true;
  await expect(failing.redeem(id, secret, firstRead)).rejects.toBeInstanceOf(StoreUnavailableError);
  store.find = find;
  const { service: other } = testService(store);
  await expect(other.redeem(id, secret)).resolves.toMatchObject({ token: 'token-1-for-ana-redeemed', user: ANA });
  await store.close();
});

test('racing redeems all answer one and the same token', async () => {
  const { store, service } = setup();
  const { id, secret } = await confirmedLogin(service);
  const answers = await Promise.all(Array.from({ length: 20 }, () => service.redeem(id, secret)));
  expect(new Set(answers.map((a) => a.token)).size).toBe(1);
  expect(await store.find(id)).toMatchObject({ state: 'redeemed', version: 4 });
  await store.close();
});

test('a mint that fails writes nothing: the login stays confirmed for the retry', async () => {
  const store = new MemoryStore();
  const { service } = testService(store);
  const { id, secret } = await confirmedLogin(service);
  const failing = new LoginService({
    store,
    publicUrl: 'http://127.0.0.1:1',
    ttlMs: 60_000,
    confirmWindowMs: 60_000,
    issueWebToken: async () => {
      throw new Error('signing key unavailable');
    },
  });
  await expect(failing.redeem(id, secret)).rejects.toThrow('signing key unavailable');
  expect(await store.find(id)).toMatchObject({ state: 'confirmed', version: 3 });
  await expect(service.redeem(id, secret)).resolves.toMatchObject({ token: 'token-1-for-ana-redeemed' });
  await store.close();
});
