/**
 * JWT keys as qrlogin uses them: which algorithm a key may be used with,
 * key sets in JWKS form (RFC 7517) for rotation by `kid`, and the public
 * JWKS of the web-token signing key.
 */
import { createHash, createPublicKey, createSecretKey, type JsonWebKey, type KeyObject } from 'node:crypto';

/**
 * The signing algorithms qrlogin uses (a subset of jsonwebtoken's). Its own
 * name, so qrlogin's published declarations need no jsonwebtoken types.
 */
export type Algorithm = 'HS256' | 'HS384' | 'HS512' | 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512';

/** A key that verifies tokens, with the one algorithm it accepts. */
export interface VerificationKey {
  /** Selects the key by the token header's `kid`; absent for a single legacy key. */
  kid?: string;
  algorithm: Algorithm;
  key: KeyObject;
}

/** A public JWK as published at /.well-known/jwks.json. */
export type PublicJwk = JsonWebKey & { kid: string; alg: string; use: 'sig' };

const EC_ALGORITHMS: Record<string, Algorithm> = { 'prime256v1': 'ES256', 'P-256': 'ES256', 'secp384r1': 'ES384', 'P-384': 'ES384', 'secp521r1': 'ES512', 'P-521': 'ES512' };
const RSA_ALGORITHMS = new Set<string>(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']);
const HMAC_ALGORITHMS = new Set<string>(['HS256', 'HS384', 'HS512']);

/**
 * The algorithm `key` is used with: `requested` if it fits the key type,
 * otherwise the type's usual one. Throws when they do not fit, so a P-256 key
 * is never offered RS256 (or an RSA key HS256: the algorithm-switching attack).
 */
export function algorithmFor(key: KeyObject, requested?: string): Algorithm {
  const fits = (allowed: (alg: string) => boolean, fallback: Algorithm): Algorithm => {
    if (requested === undefined) return fallback;
    if (!allowed(requested)) throw new Error(`algorithm ${requested} does not fit a ${describe(key)} key`);
    return requested as Algorithm;
  };
  if (key.type === 'secret') return fits((a) => HMAC_ALGORITHMS.has(a), 'HS256');
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return fits((a) => RSA_ALGORITHMS.has(a), 'RS256');
    case 'rsa-pss':
      return fits((a) => a.startsWith('PS') && RSA_ALGORITHMS.has(a), 'PS256');
    case 'ec': {
      const alg = EC_ALGORITHMS[key.asymmetricKeyDetails?.namedCurve ?? ''];
      if (!alg) throw new Error(`unsupported curve ${key.asymmetricKeyDetails?.namedCurve}`);
      return fits((a) => a === alg, alg);
    }
    default:
      throw new Error(`unsupported key type ${describe(key)} (use RSA, EC P-256/384/521 or an HMAC secret)`);
  }
}

const describe = (key: KeyObject) => (key.type === 'secret' ? 'secret' : String(key.asymmetricKeyType));

/**
 * Parses an inline JWKS `{"keys":[…]}` of verification keys. Every key needs a
 * unique `kid`; `alg` is optional (inferred from the key type). Symmetric
 * keys (`kty: "oct"`) are HMAC secrets. Throws an Error saying what is wrong.
 */
export function parseJwks(text: string): VerificationKey[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('must be a JSON Web Key Set {"keys":[...]}');
  }
  const keys = (parsed as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new Error('must be a JSON Web Key Set {"keys":[...]} with at least one key');
  const seen = new Set<string>();
  return keys.map((jwk: JsonWebKey & { kid?: unknown; alg?: unknown }, index) => {
    const where = `keys[${index}]`;
    if (typeof jwk?.kid !== 'string' || !jwk.kid) throw new Error(`${where} needs a "kid"`);
    if (seen.has(jwk.kid)) throw new Error(`${where}: kid "${jwk.kid}" appears twice`);
    seen.add(jwk.kid);
    let key: KeyObject;
    try {
      key = jwk.kty === 'oct' ? createSecretKey(Buffer.from(String(jwk.k ?? ''), 'base64url')) : createPublicKey({ key: jwk, format: 'jwk' });
    } catch (err) {
      throw new Error(`${where} (kid "${jwk.kid}") is not a valid key: ${(err as Error).message}`);
    }
    if (key.type === 'secret' && (key.symmetricKeySize ?? 0) < 32) throw new Error(`${where}: an HMAC key needs at least 32 bytes`);
    try {
      return { kid: jwk.kid, algorithm: algorithmFor(key, typeof jwk.alg === 'string' ? jwk.alg : undefined), key };
    } catch (err) {
      throw new Error(`${where} (kid "${jwk.kid}"): ${(err as Error).message}`);
    }
  });
}

/** The RFC 7638 thumbprint of a public key: a stable default `kid`. */
export function thumbprint(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  const members = jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { e: jwk.e, kty: jwk.kty, n: jwk.n };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/** The public half of a signing key as a JWK, for /.well-known/jwks.json. */
export function publicJwk(publicKey: KeyObject, kid: string, alg: Algorithm): PublicJwk {
  return { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
}
