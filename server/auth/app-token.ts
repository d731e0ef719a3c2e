import { createPublicKey, createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { LoginError } from '../errors';
import type { SessionUser } from '../session/types';
import { algorithmFor, type Algorithm, type VerificationKey } from './keys';

/**
 * The one answer to every refused app token, whatever the reason: the
 * library's reasons ("jwt expired", "invalid signature", a missing claim, an
 * unknown kid) would tell a forger which part of the forgery to fix next.
 */
export const APP_TOKEN_REFUSED = 'The app token is not valid';

/** Claims of the mobile app's own login token that qrlogin uses. */
export interface AppClaims {
  sub: string;
  exp: number;
  name?: string;
  picture?: string;
  [claim: string]: unknown;
}

export type VerifyAppToken = (token: string) => Promise<AppClaims>;

export interface AppTokenKey {
  /** HS256 shared secret. */
  secret?: string;
  /** PEM public key, verified with `algorithm` only. */
  publicKey?: string;
  algorithm?: Algorithm;
}

/** The one legacy key (MOBILE_JWT_SECRET or MOBILE_JWT_PUBLIC_KEY) as a key set. */
export function legacyAppTokenKey(key: AppTokenKey): VerificationKey {
  if (key.secret) return { algorithm: 'HS256', key: createSecretKey(Buffer.from(key.secret, 'utf8')) };
  if (key.publicKey) {
    const keyObject = createPublicKey(key.publicKey);
    return { algorithm: algorithmFor(keyObject, key.algorithm), key: keyObject };
  }
  throw new Error('createAppTokenVerifier needs a secret or a public key');
}

/**
 * Verifies app JWTs against one configured key and one algorithm: `alg: none`
 * and algorithm switching (an HS256 token signed with the public key) fail.
 * `sub` and `exp` are required.
 */
export function createAppTokenVerifier(key: AppTokenKey): VerifyAppToken {
  return createKeySetVerifier([legacyAppTokenKey(key)]);
}

/**
 * Verifies app JWTs against a key set (rotation): the token header's `kid`
 * picks the key, and only that key's algorithm is accepted. A token without
 * `kid` is accepted only when the set holds a single key.
 */
export function createKeySetVerifier(keys: VerificationKey[]): VerifyAppToken {
  if (keys.length === 0) throw new Error('createKeySetVerifier needs at least one key');
  const byKid = new Map(keys.filter((k) => k.kid).map((k) => [k.kid as string, k]));
  const only = keys.length === 1 ? keys[0] : undefined;
  return async (token) => {
    const header = jwt.decode(token, { complete: true })?.header;
    const kid = typeof header?.kid === 'string' ? header.kid : undefined;
    const key = (kid !== undefined ? byKid.get(kid) : undefined) ?? (only && (kid === undefined || !only.kid) ? only : undefined);
    if (!key) throw new LoginError('invalid_token', APP_TOKEN_REFUSED);
    let payload: unknown;
    try {
      payload = jwt.verify(token, key.key, { algorithms: [key.algorithm] });
    } catch {
      throw new LoginError('invalid_token', APP_TOKEN_REFUSED);
    }
    return checkClaims(payload);
  };
}

export function checkClaims(payload: unknown): AppClaims {
  if (typeof payload !== 'object' || payload === null) throw new LoginError('invalid_token', APP_TOKEN_REFUSED);
  const claims = payload as Record<string, unknown>;
  // A token without a usable `sub` or `exp` is refused like a forged one (same message).
  if (typeof claims.sub !== 'string' || claims.sub.length === 0 || claims.sub.length > 256) {
    throw new LoginError('invalid_token', APP_TOKEN_REFUSED);
  }
  if (typeof claims.exp !== 'number') throw new LoginError('invalid_token', APP_TOKEN_REFUSED);
  return claims as AppClaims;
}

/** Default for what the browser is shown of the user: the token's `name` and `picture` (http(s) URLs only, never `javascript:` or `data:`). */
export function describeUserFromClaims(claims: AppClaims): SessionUser {
  const user: SessionUser = {
    id: claims.sub,
    displayName: typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim().slice(0, 100) : claims.sub,
  };
  if (typeof claims.picture === 'string' && /^https?:\/\/\S{1,2000}$/.test(claims.picture)) user.avatarUrl = claims.picture;
  return user;
}

/** Extracts the bearer token of an Authorization header, or throws invalid_token. */
export function bearerToken(header: string | undefined): string {
  // The scheme is case-insensitive (RFC 7235): "bearer" and "BEARER" are Bearer too.
  const match = /^Bearer +([A-Za-z0-9_.~+/-]+=*) *$/i.exec(header ?? '');
  if (!match?.[1]) throw new LoginError('invalid_token', 'Send the token as "Authorization: Bearer <token>"');
  return match[1];
}
