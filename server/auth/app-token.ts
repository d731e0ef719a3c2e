import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import jwt, { type Algorithm } from 'jsonwebtoken';
import { LoginError } from '../errors';
import type { SessionUser } from '../session/types';

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

/**
 * Verifies app JWTs against one configured key and one algorithm: `alg: none`
 * and algorithm switching (an HS256 token signed with the public key) fail.
 * `sub` and `exp` are required.
 */
export function createAppTokenVerifier(key: AppTokenKey): VerifyAppToken {
  let keyObject: KeyObject;
  let algorithm: Algorithm;
  if (key.secret) {
    keyObject = createSecretKey(Buffer.from(key.secret, 'utf8'));
    algorithm = 'HS256';
  } else if (key.publicKey) {
    keyObject = createPublicKey(key.publicKey);
    algorithm = key.algorithm ?? 'RS256';
  } else {
    throw new Error('createAppTokenVerifier needs a secret or a public key');
  }
  return async (token) => {
    let payload: unknown;
    try {
      payload = jwt.verify(token, keyObject, { algorithms: [algorithm] });
    } catch (err) {
      throw new LoginError('invalid_token', `The app token is not valid: ${(err as Error).message}`);
    }
    return checkClaims(payload);
  };
}

export function checkClaims(payload: unknown): AppClaims {
  if (typeof payload !== 'object' || payload === null) throw new LoginError('invalid_token', 'The app token has no claims');
  const claims = payload as Record<string, unknown>;
  if (typeof claims.sub !== 'string' || claims.sub.length === 0 || claims.sub.length > 256) {
    throw new LoginError('invalid_token', 'The app token needs a "sub" claim');
  }
  if (typeof claims.exp !== 'number') throw new LoginError('invalid_token', 'The app token needs an "exp" claim');
  return claims as AppClaims;
}

/** Default for what the browser is shown of the user: the token's `name` and `picture`. */
export function describeUserFromClaims(claims: AppClaims): SessionUser {
  const user: SessionUser = {
    id: claims.sub,
    displayName: typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim().slice(0, 100) : claims.sub,
  };
  if (typeof claims.picture === 'string' && /^https:\/\/\S{1,2000}$/.test(claims.picture)) user.avatarUrl = claims.picture;
  return user;
}

/** Extracts the bearer token of an Authorization header, or throws invalid_token. */
export function bearerToken(header: string | undefined): string {
  const match = /^Bearer +([A-Za-z0-9_.~+/-]+=*) *$/.exec(header ?? '');
  if (!match?.[1]) throw new LoginError('invalid_token', 'Send the token as "Authorization: Bearer <token>"');
  return match[1];
}
