/**
 * The mobile app's JWT (PROTOCOL.md "Mobile API"): verified with the
 * configured key and algorithm only, `sub` and `exp` required, and the user
 * id taken from the token, never from the body. Every refused token leaves
 * the session as it was.
 */
import jwt from 'jsonwebtoken';
import { bearer, call, createLogin, readSession, scannedLogin, type CreatedLogin } from './support/client';
import { expectRefused } from './support/expect';
import { hs256Jwt, nowSeconds, unsignedJwt, withPayload } from './support/jwt';
import { keyPair } from './support/keys';
import { startTestServer, TEST_APP_SECRET, type TestServer } from './support/server';

const claims = (extra: object = {}) => ({ sub: 'ana', name: 'Ana', exp: nowSeconds() + 600, ...extra });
const { sub: _sub, ...withoutSub } = claims();
const { exp: _exp, ...withoutExp } = claims();

/** Tries the three mobile calls with `token` on a fresh login and expects 401 invalid_token, nothing changed. */
async function refusedEverywhere(base: string, token: string, login?: CreatedLogin): Promise<void> {
  const target = login ?? (await createLogin(base));
  for (const action of ['scan', 'confirm', 'cancel']) {
    await expectRefused(
      base,
      target,
      () => call(base, 'POST', `/api/mobile/${action}`, { body: { id: target.id, code: target.code }, headers: bearer(token) }),
      401,
      'invalid_token',
    );
  }
}

describe('a server configured with an RS256 public key', () => {
  const pair = keyPair('rsa');
  const otherPair = keyPair('rsa');
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { MOBILE_JWT_SECRET: '', MOBILE_JWT_PUBLIC_KEY: pair.publicPem, DEMO: '0' } });
  });
  afterAll(() => server.close());

  const rs256 = (payload: object, key = pair.privateKey) => jwt.sign(payload, key, { algorithm: 'RS256' });

  test('accepts a token signed with its private key', async () => {
    const login = await createLogin(server.url);
    const res = await call(server.url, 'POST', '/api/mobile/scan', { body: { id: login.id, code: login.code }, headers: bearer(rs256(claims())) });
    expect(res).toMatchObject({ status: 200, body: { state: 'scanned' } });
    expect((await readSession(server.url, login)).user).toEqual({ id: 'ana', displayName: 'Ana' });
  });

  test('refuses a token signed with another key', async () => {
    await refusedEverywhere(server.url, rs256(claims(), otherPair.privateKey));
  });

  test('refuses alg: none', async () => {
    await refusedEverywhere(server.url, unsignedJwt(claims()));
  });

  test('refuses algorithm switching: HS256 signed with the public key as the secret', async () => {
    await refusedEverywhere(server.url, hs256Jwt(claims(), pair.publicPem));
    await refusedEverywhere(server.url, hs256Jwt(claims(), pair.publicKey.export({ format: 'der', type: 'spki' })));
  });

  test('refuses an RS384 token from the same key (only the configured algorithm)', async () => {
    await refusedEverywhere(server.url, jwt.sign(claims(), pair.privateKey, { algorithm: 'RS384' }));
  });

  test('refuses an expired token, one without sub and one without exp', async () => {
    await refusedEverywhere(server.url, rs256(claims({ exp: nowSeconds() - 30 })));
    await refusedEverywhere(server.url, rs256(withoutSub));
    await refusedEverywhere(server.url, rs256(withoutExp));
  });

  test('refuses a token whose payload was changed after signing', async () => {
    await refusedEverywhere(server.url, withPayload(rs256(claims()), claims({ sub: 'mallory' })));
  });
});

describe('a server configured with an HS256 secret', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const hs256 = (payload: object, secret = TEST_APP_SECRET) => jwt.sign(payload, secret, { algorithm: 'HS256' });

  test('refuses the wrong secret, alg: none, expired, no sub, no exp, an empty sub, a tampered payload', async () => {
    for (const token of [
      hs256(claims(), 'not-the-configured-secret-0123456789'),
      unsignedJwt(claims()),
      hs256(claims({ exp: nowSeconds() - 30 })),
      hs256(withoutSub),
      hs256(withoutExp),
      hs256(claims({ sub: '' })),
      hs256(claims({ sub: 42 })),
      withPayload(hs256(claims()), claims({ sub: 'mallory' })),
    ]) {
      await refusedEverywhere(server.url, token);
    }
  });

  test('every refused token gets one neutral message, never the reason (which would guide a forger)', async () => {
    const login = await createLogin(server.url);
    const messages = new Set<string>();
    for (const token of [
      hs256(claims(), 'not-the-configured-secret-0123456789'),
      unsignedJwt(claims()),
      hs256(claims({ exp: nowSeconds() - 30 })),
      hs256(claims({ nbf: nowSeconds() + 600 })),
      hs256(withoutSub),
      hs256(withoutExp),
      jwt.sign(claims(), TEST_APP_SECRET, { algorithm: 'HS512' }),
      withPayload(hs256(claims()), claims({ sub: 'mallory' })),
      'aaaa.bbbb.cccc',
    ]) {
      const res = await call(server.url, 'POST', '/api/mobile/scan', { body: { id: login.id, code: login.code }, headers: bearer(token) });
      expect(res).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
      messages.add(res.body.message);
    }
    expect([...messages]).toEqual(['The app token is not valid']);
  });

  test('refuses an RS256 token even though its signature is valid for its own key', async () => {
    await refusedEverywhere(server.url, jwt.sign(claims(), keyPair('rsa').privateKey, { algorithm: 'RS256' }));
  });

  test('refuses a token with nbf in the future', async () => {
    await refusedEverywhere(server.url, hs256(claims({ nbf: nowSeconds() + 600 })));
  });

  test('the user comes from the token: ids in the body are ignored on scan, confirm and cancel', async () => {
    const login = await createLogin(server.url);
    const asAna = bearer(hs256(claims()));
    const forged = { userId: 'mallory', sub: 'mallory', user: { id: 'mallory', displayName: 'Mallory' } };
    const scan = await call(server.url, 'POST', '/api/mobile/scan', { body: { id: login.id, code: login.code, ...forged }, headers: asAna });
    expect(scan.status).toBe(200);
    expect((await readSession(server.url, login)).user).toEqual({ id: 'ana', displayName: 'Ana' });

    // Mallory's own token with Ana's id in the body cannot confirm Ana's scan.
    const asMallory = bearer(hs256(claims({ sub: 'mallory', name: 'Mallory' })));
    await expectRefused(
      server.url,
      login,
      () => call(server.url, 'POST', '/api/mobile/confirm', { body: { id: login.id, code: login.code, userId: 'ana', sub: 'ana' }, headers: asMallory }),
      403,
      'forbidden',
    );
    const confirm = await call(server.url, 'POST', '/api/mobile/confirm', { body: { id: login.id, code: login.code, userId: 'mallory' }, headers: asAna });
    expect(confirm).toMatchObject({ status: 200, body: { state: 'confirmed' } });
  });

  test('the Bearer scheme is case-insensitive (RFC 7235)', async () => {
    const login = await createLogin(server.url);
    const res = await call(server.url, 'POST', '/api/mobile/scan', {
      body: { id: login.id, code: login.code },
      headers: { authorization: `bearer ${hs256(claims())}` },
    });
    expect(res).toMatchObject({ status: 200, body: { state: 'scanned' } });
  });

  test('a refused token on a scanned login does not disturb it', async () => {
    const login = await scannedLogin(server.url, 'ana');
    await refusedEverywhere(server.url, unsignedJwt(claims()), login);
    expect(await readSession(server.url, login)).toMatchObject({ state: 'scanned', version: 2, user: { id: 'ana' } });
  });
});
