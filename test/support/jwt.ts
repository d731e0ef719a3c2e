import { createHmac } from 'node:crypto';

const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
export const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * JWTs built by hand, for the tokens a JWT library refuses to make: `alg:
 * none`, or HS256 keyed with an RSA public key (the algorithm-switching attack).
 */
export function unsignedJwt(payload: object): string {
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
}

export function hs256Jwt(payload: object, key: string | Buffer): string {
  const signingInput = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}`;
  return `${signingInput}.${createHmac('sha256', key).update(signingInput).digest('base64url')}`;
}

/** The token with its payload swapped for `payload` and the original signature kept. */
export function withPayload(token: string, payload: object): string {
  const [header, , signature] = token.split('.');
  return `${header}.${part(payload)}.${signature}`;
}
