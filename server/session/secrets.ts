import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/** `bytes` random bytes from the CSPRNG, base64url (16 bytes = 128 bits = 22 characters). */
export function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

export const newSessionId = (): string => randomUUID();

/** What the store keeps instead of the browser secret. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}

/**
 * Constant-time comparison of two strings. Both sides are hashed first so the
 * comparison takes the same time whatever their lengths.
 */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}
