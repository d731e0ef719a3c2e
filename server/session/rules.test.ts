import { LoginError } from '../errors';
import * as rules from './rules';
import { STATES, type SessionChange, type SessionRecord, type State } from './types';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const WINDOW = 60_000;
const ANA = { id: 'ana', displayName: 'Ana' };
const BEN = { id: 'ben', displayName: 'Ben' };

/** A stored session in `state`; from `scanned` on it carries the user who scanned (Ana). */
function record(state: State, overrides: Partial<SessionRecord> = {}): SessionRecord {
  const scannedOn = state === 'scanned' || state === 'confirmed' || state === 'redeemed';
  return {
    id: '6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab',
    state,
    version: 3,
    secretHash: 'hash',
    code: 'the-code',
    createdAt: NOW - 10_000,
    expiresAt: NOW + 50_000,
    ip: '127.0.0.1',
    userAgent: 'test',
    ...(scannedOn ? { user: ANA, scannedAt: NOW - 5_000 } : {}),
    ...overrides,
  };
}

/** What an action does: the change it writes, `null` (an idempotent no-op) or the protocol error code it throws. */
function outcome(action: () => SessionChange | null): SessionChange | null | string {
  try {
    return action();
  } catch (err) {
    if (err instanceof LoginError) {
      return err.code;
    }
    throw err;
  }
}

type Table = Record<State, SessionChange | null | string>;
const everyState = (table: Table) => STATES.map((state) => [state, table[state]] as const);

describe('scan by the user who scanned (or the first one)', () => {
  test.each(everyState({
    pending: { state: 'scanned', user: ANA, scannedAt: NOW },
    scanned: null,
    confirmed: 'invalid_state',
    redeemed: 'invalid_state',
    cancelled: 'invalid_state',
    expired: 'expired',
  }))('from %s → %j', (state, expected) => {
    expect(outcome(() => rules.scan(record(state), ANA, NOW))).toEqual(expected);
  });
});

describe('scan by another user than the one who scanned', () => {
  test.each(everyState({
    pending: { state: 'scanned', user: BEN, scannedAt: NOW },
    scanned: 'already_scanned',
    confirmed: 'already_scanned',
    redeemed: 'already_scanned',
    cancelled: 'invalid_state',
    expired: 'expired',
  }))('from %s → %j', (state, expected) => {
    expect(outcome(() => rules.scan(record(state), BEN, NOW))).toEqual(expected);
  });

  test('a session cancelled after a scan cannot be scanned by someone else either', () => {
    expect(outcome(() => rules.scan(record('cancelled', { user: ANA }), BEN, NOW))).toBe('invalid_state');
  });
});

describe('confirm by the user who scanned', () => {
  test.each(everyState({
    pending: 'invalid_state',
    scanned: { state: 'confirmed' },
    confirmed: 'invalid_state',
    redeemed: 'invalid_state',
    cancelled: 'invalid_state',
    expired: 'expired',
  }))('from %s → %j', (state, expected) => {
    expect(outcome(() => rules.confirm(record(state), ANA.id, NOW, WINDOW))).toEqual(expected);
  });

  test('after the confirm window since the scan → expired', () => {
    const late = record('scanned', { scannedAt: NOW - WINDOW - 1 });
    expect(outcome(() => rules.confirm(late, ANA.id, NOW, WINDOW))).toBe('expired');
    const inTime = record('scanned', { scannedAt: NOW - WINDOW });
    expect(outcome(() => rules.confirm(inTime, ANA.id, NOW, WINDOW))).toEqual({ state: 'confirmed' });
  });
});

describe('confirm by another user', () => {
  test.each(everyState({
    pending: 'invalid_state',
    scanned: 'forbidden',
    confirmed: 'invalid_state',
    redeemed: 'invalid_state',
    cancelled: 'invalid_state',
    expired: 'expired',
  }))('from %s → %j', (state, expected) => {
    expect(outcome(() => rules.confirm(record(state), BEN.id, NOW, WINDOW))).toEqual(expected);
  });
});

describe('cancel from the phone', () => {
  test.each(everyState({
    pending: { state: 'cancelled' },
    scanned: { state: 'cancelled' },
    confirmed: 'invalid_state',
    redeemed: 'invalid_state',
    cancelled: 'invalid_state',
    expired: 'expired',
  }))('by the user who scanned (or anyone before a scan), from %s → %j', (state, expected) => {
    expect(outcome(() => rules.cancel(record(state), ANA.id))).toEqual(expected);
  });

  test.each(everyState({
    pending: { state: 'cancelled' },
    scanned: 'forbidden',
    confirmed: 'invalid_state',
    redeemed: 'invalid_state',
    cancelled: 'invalid_state',
    expired: 'expired',
  }))('by another user, from %s → %j', (state, expected) => {
    expect(outcome(() => rules.cancel(record(state), BEN.id))).toEqual(expected);
  });
});

describe('abandon (the browser gives up: DELETE)', () => {
  test.each(everyState({
    pending: { state: 'cancelled' },
    scanned: { state: 'cancelled' },
    confirmed: 'invalid_state',
    redeemed: 'invalid_state',
    cancelled: null,
    expired: 'expired',
  }))('from %s → %j', (state, expected) => {
    expect(outcome(() => rules.abandon(record(state)))).toEqual(expected);
  });
});

describe('redeem', () => {
  test.each(everyState({
    pending: 'authorization_pending',
    scanned: 'authorization_pending',
    confirmed: { state: 'redeemed' },
    redeemed: 'already_redeemed',
    cancelled: 'access_denied',
    expired: 'expired',
  }))('from %s → %j', (state, expected) => {
    expect(outcome(() => rules.redeem(record(state)))).toEqual(expected);
  });
});

describe('checkCode', () => {
  test('the code of the session passes', () => {
    expect(() => rules.checkCode(record('pending'), 'the-code')).not.toThrow();
  });

  test.each(['the-cod', 'the-code!', '', 'THE-CODE'])('%j → invalid_code', (code) => {
    expect(outcome(() => (rules.checkCode(record('pending'), code), null))).toBe('invalid_code');
  });
});

describe('checkUserCode: a typed code opens only a login that waits for this user', () => {
  const withCode = (state: State) => record(state, { userCode: 'BCDFGHJK' });
  const check = (r: SessionRecord, userCode: string, userId: string) => outcome(() => (rules.checkUserCode(r, userCode, userId), null));

  test.each(STATES)('%s, by Ana (who scanned from scanned on) and by Ben', (state) => {
    const opensForAna = state === 'pending' || state === 'scanned';
    const opensForBen = state === 'pending';
    expect(check(withCode(state), 'BCDFGHJK', ANA.id)).toBe(opensForAna ? null : 'not_found');
    expect(check(withCode(state), 'BCDFGHJK', BEN.id)).toBe(opensForBen ? null : 'not_found');
  });

  test('another code, or a session made before user codes, is not_found', () => {
    expect(check(withCode('pending'), 'BCDFGHJL', ANA.id)).toBe('not_found');
    expect(check(record('pending'), 'BCDFGHJK', ANA.id)).toBe('not_found');
  });
});
