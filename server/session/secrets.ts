import { hash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * CSPRNG bytes drawn 4 KiB at a time and handed out once each, as Node's own
 * randomUUID does: one call into the CSPRNG per ~60 sessions instead of a few
 * per session, which showed in the profile of creation.
 */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolAt = 0;

/** `bytes` random bytes from the CSPRNG, base64url (16 bytes = 128 bits = 22 characters). */
export function randomToken(bytes: number): string {
  if (bytes > POOL_BYTES) return randomBytes(bytes).toString('base64url');
  if (poolAt + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  const token = pool.toString('base64url', poolAt, poolAt + bytes);
  poolAt += bytes;
  return token;
}

export const newSessionId = (): string => randomUUID();

/** What the store keeps instead of the browser secret. */
export function hashSecret(secret: string): string {
  // crypto.hash (Node 20.12+): a one-shot digest, without a Hash stream object per call.
  return hash('sha256', secret, 'base64url');
}

/**
 * Constant-time comparison of two strings. Both sides are hashed first so the
 * comparison takes the same time whatever their lengths.
 */
export function safeEqual(a: string, b: string): boolean {
  const ha = hash('sha256', a, 'buffer');
  const hb = hash('sha256', b, 'buffer');
  return timingSafeEqual(ha, hb);
}
