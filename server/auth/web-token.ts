import { createPrivateKey, createPublicKey, createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { LoginError } from '../errors';
import type { IssuedToken, SessionUser } from '../session/types';
import { algorithmFor, publicJwk, thumbprint, type Algorithm, type PublicJwk, type VerificationKey } from './keys';
import { randomToken } from '../session/secrets';

export type { IssuedToken };

/** What a valid web token says: whose it is, which browser login (`sid`), and until when. */
export interface VerifiedWebToken {
  user: { id: string; displayName: string };
  sid: string;
  /** Epoch ms of `exp`. */
  expiresAt: number;
}

export interface WebTokens {
  issue(user: SessionUser, sessionId: string): Promise<IssuedToken>;
  /** Signature, algorithm and expiry of a web token; throws invalid_token otherwise. Sign-outs are checked elsewhere (devices/token-check.ts). */
  verify(token: string): Promise<VerifiedWebToken>;
  /** The public JWKS that verifies issued tokens; null with an HMAC secret (nothing to publish). */
  jwks(): { keys: PublicJwk[] } | null;
}

export interface WebTokenOptions {
  /** HS256 secret. Without it and without a private key, a random one is made (tokens die with the process). */
  secret?: string;
  /** PEM private key: RS256 for RSA, ES256/ES384/ES512 for P-256/384/521. */
  privateKey?: string;
  /** `kid` of the private key's tokens and JWK; default: its RFC 7638 thumbprint. */
  kid?: string;
  /** Public keys of earlier signing keys: still published and accepted until their tokens expire. */
  retiredKeys?: VerificationKey[];
  ttlSeconds: number;
}

/** The web token of PROTOCOL.md: a JWT with sub, sid, jti, iat, exp and amr ["qr"], plus the name. */
export function createWebTokens(options: WebTokenOptions): WebTokens {
  let signKey: KeyObject;
  let verifyKey: KeyObject;
  let algorithm: Algorithm;
  let kid: string | undefined;
  if (options.privateKey) {
    signKey = createPrivateKey(options.privateKey);
    verifyKey = createPublicKey(signKey);
    algorithm = algorithmFor(verifyKey);
    kid = options.kid ?? thumbprint(verifyKey);
  } else {
    signKey = verifyKey = createSecretKey(Buffer.from(options.secret ?? randomToken(32), 'utf8'));
    algorithm = 'HS256';
  }
  // The key that checks a token: the one its `kid` names (current or retired); without a kid, the current one.
  const current: VerificationKey = { kid, algorithm, key: verifyKey };
  const verifiers = new Map([...(kid ? options.retiredKeys ?? [] : []), current].map((k) => [k.kid, k]));
  const verifierFor = (token: string): VerificationKey | undefined => {
    const headerKid = jwt.decode(token, { complete: true })?.header.kid;
    return headerKid === undefined ? current : verifiers.get(headerKid);
  };
  return {
    async issue(user, sessionId) {
      const token = jwt.sign({ sid: sessionId, amr: ['qr'], name: user.displayName }, signKey, {
        algorithm,
        subject: user.id,
        jwtid: randomUUID(),
        expiresIn: options.ttlSeconds,
        ...(kid ? { keyid: kid } : {}),
      });
      return { token, expiresIn: options.ttlSeconds };
    },
    async verify(token) {
      try {
        const verifier = verifierFor(token);
        if (!verifier) throw new Error('unknown kid');
        const claims = jwt.verify(token, verifier.key, { algorithms: [verifier.algorithm] }) as jwt.JwtPayload;
        if (typeof claims.sub !== 'string' || typeof claims.sid !== 'string' || typeof claims.exp !== 'number') throw new Error('claims');
        return {
          user: { id: claims.sub, displayName: typeof claims.name === 'string' ? claims.name : claims.sub },
          sid: claims.sid,
          expiresAt: claims.exp * 1000,
        };
      } catch {
        throw new LoginError('invalid_token', 'The web token is missing, malformed or expired');
      }
    },
    jwks() {
      if (!kid) return null;
      const retired = (options.retiredKeys ?? []).map((k) => publicJwk(k.key, k.kid as string, k.algorithm));
      return { keys: [publicJwk(verifyKey, kid, algorithm), ...retired] };
    },
  };
}
