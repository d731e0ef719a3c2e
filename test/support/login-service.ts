import { LoginService } from '../../server/session/service';
import type { Snapshot } from '../../server/session/types';
import type { Store } from '../../server/session/store';

export const ANA = { id: 'ana', displayName: 'Ana' };

/**
 * A LoginService over `store` for unit tests: 60 s logins, each web token named
 * after its count, user and session state (`token-1-for-ana-redeemed`), and
 * every change it announces kept in `told`.
 */
export function testService(store: Store, options: { now?: () => number; redeliveryMs?: number; newUserCode?: () => string } = {}) {
  let issued = 0;
  const told: Snapshot[] = [];
  const service = new LoginService({
    store,
    publicUrl: 'http://127.0.0.1:1',
    ttlMs: 60_000,
    confirmWindowMs: 60_000,
    issueWebToken: async (user, session) => ({ token: `token-${++issued}-for-${user.id}-${session.state}`, expiresIn: 60 }),
    onChange: (snapshot) => told.push(snapshot),
    now: options.now,
    redeliveryMs: options.redeliveryMs,
    newUserCode: options.newUserCode,
  });
  return { service, told, issuedCount: () => issued };
}

/** A login scanned and confirmed by Ana (version 3). */
export async function confirmedLogin(service: LoginService): Promise<{ id: string; secret: string }> {
  const { record, secret } = await service.create({ ip: '127.0.0.1', userAgent: 'jest' });
  await service.scan(record.id, record.code, ANA);
  await service.confirm(record.id, record.code, ANA.id);
  return { id: record.id, secret };
}
