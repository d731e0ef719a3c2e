import { createPrivateKey, createPublicKey, createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import jwt, { type Algorithm } from 'jsonwebtoken';
import { LoginError } from '../errors';
import type { SessionUser } from '../session/types';
import { randomToken } from './secrets';

export interface IssuedToken {
  token: string;
  expiresIn: number;
}

export interface WebTokens {
  issue(user: SessionUser, sessionId: string): Promise<IssuedToken>;
  /** The user of a valid web token; throws invalid_token otherwise. */
  verify(token: string): Promise<{ id: string; displayName: string }>;
}

export interface WebTokenOptions {
  /** HS256 secret. Without it and without a private key, a random one is made (tokens die with the process). */
  secret?: string;
  /** PEM private key: RS256 for RSA, ES256 for P-256. */
  privateKey?: string;
  ttlSeconds: number;
}

/** The web token of PROTOCOL.md: a JWT with sub, sid, jti, iat, exp and amr ["qr"], plus the name. */
export function createWebTokens(options: WebTokenOptions): WebTokens {
  let signKey: KeyObject;
  let verifyKey: KeyObject;
  let algorithm: Algorithm;
  if (options.privateKey) {
    signKey = createPrivateKey(options.privateKey);
    verifyKey = createPublicKey(signKey);
    algorithm = signKey.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256';
  } else {
    signKey = verifyKey = createSecretKey(Buffer.from(options.secret ?? randomToken(32), 'utf8'));
    algorithm = 'HS256';
  }
  return {
    async issue(user, sessionId) {
      const token = jwt.sign({ sid: sessionId, amr: ['qr'], name: user.displayName }, signKey, {
        algorithm,
        subject: user.id,
        jwtid: randomUUID(),
        expiresIn: options.ttlSeconds,
      });
      return { token, expiresIn: options.ttlSeconds };
    },
    async verify(token) {
      try {
        const claims = jwt.verify(token, verifyKey, { algorithms: [algorithm] }) as jwt.JwtPayload;
        if (typeof claims.sub !== 'string') throw new Error('no sub');
        return { id: claims.sub, displayName: typeof claims.name === 'string' ? claims.name : claims.sub };
      } catch {
        throw new LoginError('invalid_token', 'The web token is missing, malformed or expired');
      }
    },
  };
}
