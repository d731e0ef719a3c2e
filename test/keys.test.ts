import { createPublicKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { appToken, bearer, call, createLogin, loginOverHttp } from './support/client';
import { jwksOf, keyPair, type TestKeyPair } from './support/keys';
import { startTestServer, type TestServer } from './support/server';

const rsa = keyPair('rsa');
const ec = keyPair('P-256');
const ec384 = keyPair('P-384');

const sign = (key: TestKeyPair, algorithm: jwt.Algorithm, kid?: string, sub = 'ana') =>
  jwt.sign({ name: 'Ana' }, key.privateKey, { algorithm, subject: sub, expiresIn: 600, ...(kid ? { keyid: kid } : {}) });

/** The status a scan answers with this app token. */
async function scanStatus(server: TestServer, token: string): Promise<number> {
  const login = await createLogin(server.url);
  return (await call(server.url, 'POST', '/api/mobile/scan', { body: { id: login.id, code: login.code }, headers: bearer(token) })).status;
}

describe('app-token key rotation (MOBILE_JWT_KEYS, picked by kid)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      store: 'memory',
      env: { MOBILE_JWT_SECRET: '', MOBILE_JWT_KEYS: jwksOf({ 'rsa-2025': rsa.publicKey, 'ec-2026': ec.publicKey }) },
    });
  });
  afterAll(() => server.close());

  test('tokens of the old RS256 key and the new ES256 key both work', async () => {
    expect(await scanStatus(server, sign(rsa, 'RS256', 'rsa-2025'))).toBe(200);
    expect(await scanStatus(server, sign(ec, 'ES256', 'ec-2026'))).toBe(200);
  });

  test.each<[string, () => string]>([
    ['an unknown kid', () => sign(ec384, 'ES384', 'retired')],
    ['no kid while several keys are configured', () => sign(rsa, 'RS256')],
    ['a kid naming another key than the one that signed', () => sign(rsa, 'RS256', 'ec-2026')],
    ['another RSA algorithm than the key allows', () => sign(rsa, 'RS512', 'rsa-2025')],
    ['HS256 signed with the public key as secret (algorithm switching)', () =>
      jwt.sign({ sub: 'ana' }, rsa.publicPem, { algorithm: 'HS256', keyid: 'rsa-2025', expiresIn: 600 })],
    ['alg none', () => jwt.sign({ sub: 'ana', exp: Math.floor(Date.now() / 1000) + 600 }, '', { algorithm: 'none', keyid: 'ec-2026' })],
  ])('refuses %s with 401 invalid_token', async (_what, token) => {
    expect(await scanStatus(server, token())).toBe(401);
  });
});

test('MOBILE_JWT_PUBLIC_KEY still works, its algorithm inferred from an EC key (ES256)', async () => {
  const server = await startTestServer({ store: 'memory', env: { MOBILE_JWT_SECRET: '', MOBILE_JWT_PUBLIC_KEY: ec.publicPem } });
  try {
    expect(await scanStatus(server, sign(ec, 'ES256'))).toBe(200);
    expect(await scanStatus(server, sign(ec, 'ES256', 'any-kid'))).toBe(200);
    expect(await scanStatus(server, sign(rsa, 'RS256'))).toBe(401);
  } finally {
    await server.close();
  }
});

describe.each<[string, TestKeyPair, string]>([
  ['RS256', rsa, 'RSA'],
  ['ES256', ec, 'EC'],
])('web tokens signed with %s and the public JWKS', (alg, key, kty) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: 'memory', env: { WEB_JWT_SECRET: '', WEB_JWT_PRIVATE_KEY: key.privatePem } });
  });
  afterAll(() => server.close());

  test('a standard JWT library verifies the issued token with the key from /.well-known/jwks.json', async () => {
    const { login, redeemed } = await loginOverHttp(server.url, appToken('ana', { name: 'Ana' }));
    const res = await call(server.url, 'GET', '/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect(res.body.keys).toHaveLength(1);
    const [jwk] = res.body.keys;
    expect(jwk).toMatchObject({ kty, alg, use: 'sig', kid: expect.any(String) });
    expect(jwk.d).toBeUndefined(); // nothing private is published

    const header = jwt.decode(redeemed.token, { complete: true })?.header;
    expect(header).toMatchObject({ alg, kid: jwk.kid });
    const claims = jwt.verify(redeemed.token, createPublicKey({ key: jwk, format: 'jwk' }), { algorithms: [alg as jwt.Algorithm] }) as jwt.JwtPayload;
    expect(claims).toMatchObject({ sub: 'ana', sid: login.id, amr: ['qr'], name: 'Ana', jti: expect.any(String) });
    expect(claims.exp! - claims.iat!).toBe(3600);
    // Another key pair of the same kind does not verify it.
    expect(() => jwt.verify(redeemed.token, keyPair(alg === 'RS256' ? 'rsa' : 'P-256').publicKey, { algorithms: [alg as jwt.Algorithm] })).toThrow();
    expect((await call(server.url, 'GET', '/api/me', { headers: bearer(redeemed.token) })).body).toEqual({ user: { id: 'ana', displayName: 'Ana' }, sid: login.id });
  });
});

test('WEB_JWT_KID names the key; with an HMAC secret there is no JWKS', async () => {
  const withKid = await startTestServer({ store: 'memory', env: { WEB_JWT_PRIVATE_KEY: ec.privatePem, WEB_JWT_KID: 'web-2026-11' } });
  const withSecret = await startTestServer({ store: 'memory' });
  try {
    expect((await call(withKid.url, 'GET', '/.well-known/jwks.json')).body.keys[0].kid).toBe('web-2026-11');
    expect(await call(withSecret.url, 'GET', '/.well-known/jwks.json')).toMatchObject({ status: 404, body: { error: 'not_found' } });
  } finally {
    await withKid.close();
    await withSecret.close();
  }
});

test('web-key rotation: tokens of a retired key stay valid and published until they expire', async () => {
  const before = await startTestServer({ store: 'memory', env: { WEB_JWT_PRIVATE_KEY: rsa.privatePem, WEB_JWT_KID: 'web-1' } });
  const after = await startTestServer({
    store: 'memory',
    env: { WEB_JWT_PRIVATE_KEY: ec.privatePem, WEB_JWT_KID: 'web-2', WEB_JWT_RETIRED_KEYS: jwksOf({ 'web-1': rsa.publicKey }) },
  });
  const rotatedOut = await startTestServer({ store: 'memory', env: { WEB_JWT_PRIVATE_KEY: ec.privatePem, WEB_JWT_KID: 'web-2' } });
  try {
    const { redeemed: old } = await loginOverHttp(before.url, appToken('ana'));
    const { redeemed: fresh } = await loginOverHttp(after.url, appToken('bo'));
    expect(jwt.decode(fresh.token, { complete: true })?.header).toMatchObject({ alg: 'ES256', kid: 'web-2' });

    const jwks = (await call(after.url, 'GET', '/.well-known/jwks.json')).body;
    expect(jwks.keys.map((k: { kid: string; alg: string }) => [k.kid, k.alg])).toEqual([['web-2', 'ES256'], ['web-1', 'RS256']]);
    for (const [token, sub] of [[old.token, 'ana'], [fresh.token, 'bo']]) {
      const kid = jwt.decode(token, { complete: true })?.header.kid;
      const jwk = jwks.keys.find((k: { kid: string }) => k.kid === kid);
      expect(jwt.verify(token, createPublicKey({ key: jwk, format: 'jwk' }), { algorithms: [jwk.alg] })).toMatchObject({ sub });
      expect((await call(after.url, 'GET', '/api/me', { headers: bearer(token) })).body.user.id).toBe(sub);
    }
    // Once the retired key is dropped, its tokens are refused.
    expect(await call(rotatedOut.url, 'GET', '/api/me', { headers: bearer(old.token) })).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
  } finally {
    await Promise.all([before.close(), after.close(), rotatedOut.close()]);
  }
});
