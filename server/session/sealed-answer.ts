import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * A redeem answer kept for re-delivery (PROTOCOL.md v1.1): the browser whose
 * answer was lost asks again with its secret and gets the same token. What the
 * store keeps is that token sealed with AES-256-GCM under a key derived from
 * the browser's secret, which the server never stores: the store holds only
 * sha256(secret) (secrets.ts), and this HKDF with its own `info` is a
 * different, one-way derivation, so neither a store dump nor the hash opens it.
 * The session id is the associated data: a sealed answer moved to another
 * session does not open.
 */
export interface AnswerToSeal {
  token: string;
  /** When the token expires, epoch ms: a re-delivery says how long it has left. */
  expiresAt: number;
}

const FORMAT = 'v1';
const INFO = 'qrlogin/v1 redeem answer re-delivery key';
const SALT = 'qrlogin sealed redeem answer';
const IV_BYTES = 12;
const TAG_BYTES = 16;

function keyFor(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), SALT, INFO, 32));
}

export function sealAnswer(secret: string, sessionId: string, answer: AnswerToSeal): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyFor(secret), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(sessionId, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify({ t: answer.token, e: answer.expiresAt }), 'utf8'), cipher.final()]);
  return `${FORMAT}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
}

/** The sealed answer, or null when it does not open with this secret and session (or is not one). */
export function openAnswer(secret: string, sessionId: string, sealed: string): AnswerToSeal | null {
  const [format, packed] = sealed.split('.');
  if (format !== FORMAT || !packed) return null;
  const bytes = Buffer.from(packed, 'base64url');
  if (bytes.length <= IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFor(secret), bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(sessionId, 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
    const parsed = JSON.parse(plain.toString('utf8')) as { t?: unknown; e?: unknown };
    if (typeof parsed.t !== 'string' || typeof parsed.e !== 'number') return null;
    return { token: parsed.t, expiresAt: parsed.e };
  } catch {
    return null; // wrong key, altered bytes: the tag does not verify
  }
}
