import type { IncomingHttpHeaders } from 'node:http';
import { normalizeIp } from '../http/request-info';

/**
 * The client address of a Socket.IO handshake, by the same rule as Koa's
 * `ctx.ip` with `proxy` on and `maxIpsCount` = TRUST_PROXY_HOPS (app.ts):
 * each of our proxies appends the address it saw, so the client is `hops`
 * entries from the end; entries before that are whatever the client sent.
 * With `hops` 0 (TRUST_PROXY off) or no header: the TCP peer.
 */
export function handshakeIp(handshake: { address: string; headers: IncomingHttpHeaders }, hops: number): string {
  if (hops > 0) {
    const forwarded = handshake.headers['x-forwarded-for'];
    const entries = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? ''))
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    const client = entries.slice(-hops)[0];
    if (client) return normalizeIp(client);
  }
  return normalizeIp(handshake.address);
}
