/**
 * The state machine of PROTOCOL.md "States", as pure functions: given the
 * session as stored and who asks, each returns the change to write, `null`
 * when the request is a no-op that succeeds (a repeat scan by the same user,
 * a repeat browser cancel), or throws the protocol error.
 *
 *   pending → scanned → confirmed → redeemed
 *   pending | scanned → cancelled          (phone, or browser giving up)
 *   any non-final → expired                (derived by the store from the TTL)
 */
import { safeEqual } from './secrets';
import { LoginError } from '../errors';
import type { SessionChange, SessionRecord, SessionUser } from './types';

export function checkCode(record: SessionRecord, code: string): void {
  if (!safeEqual(record.code, code)) throw new LoginError('invalid_code', 'The verification code does not match this login');
}

function notExpired(record: SessionRecord): void {
  if (record.state === 'expired') throw new LoginError('expired', 'This login has expired; show a new QR code');
}

/**
 * A user code opens a session only while it is `pending`, or `scanned` by this
 * same user (a repeat); anything else reads as unknown (404), so a guessed code
 * tells nothing about sessions it cannot scan.
 */
export function checkUserCode(record: SessionRecord, userCode: string, userId: string): void {
  const usable = record.state === 'pending' || (record.state === 'scanned' && record.user?.id === userId);
  if (!usable || record.userCode === undefined || !safeEqual(record.userCode, userCode)) {
    throw new LoginError('not_found', 'No login is waiting for this code');
  }
}

export function scan(record: SessionRecord, user: SessionUser, now: number): SessionChange | null {
  notExpired(record);
  if (record.user && record.user.id !== user.id && record.state !== 'cancelled') {
    throw new LoginError('already_scanned', 'Another user has already scanned this code');
  }
  if (record.state === 'scanned') return null; // same user scanning again: idempotent
  if (record.state !== 'pending') {
    throw new LoginError('invalid_state', `This login cannot be scanned: it is ${record.state}`);
  }
  return { state: 'scanned', user, scannedAt: now };
}

export function confirm(record: SessionRecord, userId: string, now: number, confirmWindowMs: number): SessionChange {
  notExpired(record);
  if (record.state !== 'scanned') {
    throw new LoginError('invalid_state', `This login cannot be confirmed: it is ${record.state}`);
  }
  if (record.user?.id !== userId) throw new LoginError('forbidden', 'Only the user who scanned can confirm');
  if (record.scannedAt !== undefined && now - record.scannedAt > confirmWindowMs) {
    throw new LoginError('expired', 'Too much time passed since the scan; start over with a new QR code');
  }
  return { state: 'confirmed' };
}

/** The phone declines. */
export function cancel(record: SessionRecord, userId: string): SessionChange {
  notExpired(record);
  if (record.state !== 'pending' && record.state !== 'scanned') {
    throw new LoginError('invalid_state', `This login cannot be cancelled: it is ${record.state}`);
  }
  if (record.state === 'scanned' && record.user?.id !== userId) {
    throw new LoginError('forbidden', 'Only the user who scanned can cancel');
  }
  return { state: 'cancelled' };
}

/** The browser gives the session up (DELETE). Repeating it is fine. */
export function abandon(record: SessionRecord): SessionChange | null {
  notExpired(record);
  if (record.state === 'cancelled') return null;
  if (record.state !== 'pending' && record.state !== 'scanned') {
    throw new LoginError('invalid_state', `This login cannot be given up: it is ${record.state}`);
  }
  return { state: 'cancelled' };
}

export function redeem(record: Pick<SessionRecord, 'state'>): SessionChange {
  switch (record.state) {
    case 'confirmed':
      return { state: 'redeemed' };
    case 'pending':
    case 'scanned':
      throw new LoginError('authorization_pending', 'The user has not confirmed on the phone yet');
    case 'cancelled':
      throw new LoginError('access_denied', 'The login was cancelled');
    case 'redeemed':
      throw new LoginError('already_redeemed', 'This login was already exchanged for a token');
    case 'expired':
      throw new LoginError('expired', 'This login has expired; show a new QR code');
  }
}
