/** JWTs an attacker might send: forged, unsigned, wrong algorithm, expired, tampered, or with bad claims. */
import { createHmac, generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { TEST_APP_SECRET } from './server';

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
/** A JWT with any header and payload, HMAC-signed with `secret` (or unsigned for alg none). */
function rawJwt(header: unknown, payload: unknown, secret?: string): string {
  const head = `${b64(header)}.${b64(payload)}`;
  return `${head}.${secret ? createHmac('sha256', secret).update(head).digest('base64url') : ''}`;
}
const inAMinute = () => Math.floor(Date.now() / 1000) + 60;

/** Bearer values that must all be refused with 401 invalid_token, for the app token (`secret`) or the web token. */
export function forgedBearers(secret: string): [string, string | undefined][] {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const sub = 'ana';
  const exp = inAMinute();
  return [
    ['no Authorization header', undefined],
    ['empty Authorization', ''],
    ['scheme only', 'Bearer'],
    ['Basic scheme', `Basic ${Buffer.from('ana:pw').toString('base64')}`],
    ['lowercase bearer with junk', 'bearer !!!'],
    ['not a JWT', 'Bearer hello'],
    ['two segments', 'Bearer aaaa.bbbb'],
    ['four segments', `Bearer ${jwt.sign({ sub }, secret, { expiresIn: 60 })}.extra`],
    ['alg none, unsigned', `Bearer ${rawJwt({ alg: 'none', typ: 'JWT' }, { sub, exp })}`],
    ['alg None, unsigned', `Bearer ${rawJwt({ alg: 'None' }, { sub, exp })}`],
    ['alg none with a signature', `Bearer ${rawJwt({ alg: 'none' }, { sub, exp }, secret)}`],
    ['signed with another secret', `Bearer ${jwt.sign({ sub }, 'not-the-secret-0123456789abcdef', { expiresIn: 60 })}`],
    ['HS512 with the right secret', `Bearer ${jwt.sign({ sub }, secret, { algorithm: 'HS512', expiresIn: 60 })}`],
    ['HS384 with the right secret', `Bearer ${jwt.sign({ sub }, secret, { algorithm: 'HS384', expiresIn: 60 })}`],
    ['RS256 with a stranger key', `Bearer ${jwt.sign({ sub }, privateKey, { algorithm: 'RS256', expiresIn: 60 })}`],
    ['header claims RS256 but HMAC-signed', `Bearer ${rawJwt({ alg: 'RS256' }, { sub, exp }, secret)}`],
    ['expired', `Bearer ${jwt.sign({ sub, exp: Math.floor(Date.now() / 1000) - 120 }, secret)}`],
    ['not yet valid', `Bearer ${jwt.sign({ sub, nbf: inAMinute() + 600, exp: inAMinute() + 1200 }, secret)}`],
    ['payload tampered after signing', `Bearer ${tamper(jwt.sign({ sub, exp }, secret), { sub: 'admin', exp })}`],
    ['signature stripped', `Bearer ${jwt.sign({ sub, exp }, secret).split('.').slice(0, 2).join('.')}.`],
    ['header not JSON', `Bearer ${b64('{{{')}.${b64({ sub, exp })}.sig`],
    ['payload not JSON', `Bearer ${rawJwt({ alg: 'HS256' }, 'not json', secret)}`],
    ['payload a JSON array', `Bearer ${rawJwt({ alg: 'HS256', typ: 'JWT' }, [sub], secret)}`],
    ['huge token', `Bearer ${'a'.repeat(6000)}.${'b'.repeat(1000)}.c`],
    ['token with spaces inside', `Bearer ${jwt.sign({ sub }, 'x'.repeat(32), { expiresIn: 60 }).replace('.', ' .')}`],
  ];
}

/** Claims that a correctly signed app token must still carry (checked for the mobile API only). */
export function badClaimTokens(): [string, string][] {
  const exp = inAMinute();
  const h = { alg: 'HS256', typ: 'JWT' };
  return [
    ['no sub', rawJwt(h, { exp, name: 'x' }, TEST_APP_SECRET)],
    ['empty sub', rawJwt(h, { sub: '', exp }, TEST_APP_SECRET)],
    ['numeric sub', rawJwt(h, { sub: 42, exp }, TEST_APP_SECRET)],
    ['object sub', rawJwt(h, { sub: { id: 'ana' }, exp }, TEST_APP_SECRET)],
    ['sub of 300 characters', rawJwt(h, { sub: 'a'.repeat(300), exp }, TEST_APP_SECRET)],
    ['no exp', rawJwt(h, { sub: 'ana' }, TEST_APP_SECRET)],
    ['string exp', rawJwt(h, { sub: 'ana', exp: String(exp) }, TEST_APP_SECRET)],
  ];
}

function tamper(token: string, payload: unknown): string {
  const [head, , sig] = token.split('.');
  return `${head}.${b64(payload)}.${sig}`;
}

