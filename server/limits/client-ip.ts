import type { IncomingHttpHeaders } from 'node:http';
import { normalizeIp } from '../http/request-info';

/**
 * The client address of a Socket.IO handshake, by the same rule as Koa's
 * `ctx.ip` with `proxy` on and `maxIpsCount: 1` (see app.ts): with
 * TRUST_PROXY, the last X-Forwarded-For hop, the one our own proxy appended
 * (earlier hops are whatever the client sent); without it, the TCP peer.
 */
export function handshakeIp(handshake: { address: string; headers: IncomingHttpHeaders }, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = handshake.headers['x-forwarded-for'];
    const hops = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',');
    const last = hops[hops.length - 1]?.trim();
    if (last) return normalizeIp(last);
  }
  return normalizeIp(handshake.address);
}
