/**
 * Client addresses, for HTTP requests and Socket.IO handshakes alike: how an
 * address is written, which proxies are believed, what counts as one network.
 */
import type { IncomingHttpHeaders } from 'node:http';
import ipaddr from 'ipaddr.js';

/** An IPv4 address as Node writes a peer's (dotted decimal, no leading zeros), alone or IPv4-mapped. */
const PLAIN_IPV4 = /^(?:::ffff:)?((?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d))$/i;

/** `::ffff:1.2.3.4` → `1.2.3.4`; anything unparseable is kept as given. */
export function normalizeIp(ip: string): string {
  // The common case without ipaddr.js's parse: it is already the canonical form.
  const ipv4 = PLAIN_IPV4.exec(ip)?.[1];
  if (ipv4) return ipv4;
  try {
    return ipaddr.process(ip).toString();
  } catch {
    return ip;
  }
}

/** Same /24 for IPv4, same /64 for IPv6; different families are different networks. */
export function sameNetwork(a: string, b: string): boolean {
  try {
    const x = ipaddr.process(a);
    const y = ipaddr.process(b);
    if (x.kind() !== y.kind()) return false;
    return x.kind() === 'ipv4' ? x.match(y as ipaddr.IPv4, 24) : x.match(y as ipaddr.IPv6, 64);
  } catch {
    return false;
  }
}

/**
 * The key per-IP limits count an address under: an IPv4 address as is, an
 * IPv6 address by its /`ipv6PrefixLength` network (`2001:db8:1:2::/64`), since
 * one client routinely holds a whole /64 and could rotate through it.
 * Anything unparseable is kept as given.
 */
export function ipNetworkKey(ip: string, ipv6PrefixLength: number): string {
  const ipv4 = PLAIN_IPV4.exec(ip)?.[1];
  if (ipv4) return ipv4;
  try {
    const address = ipaddr.process(ip);
    if (address.kind() === 'ipv4' || ipv6PrefixLength >= 128) return address.toString();
    return `${ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${ipv6PrefixLength}`).toString()}/${ipv6PrefixLength}`;
  } catch {
    return ip;
  }
}

const requestIps = new WeakMap<object, string>();

/**
 * The client of an HTTP request: Koa's `ctx.ip` (already by the TRUST_PROXY
 * rules, see app.ts), normalized. Parsed once per request: the request log,
 * the limits and the handler all ask.
 */
export function requestIp(ctx: { ip: string }): string {
  let ip = requestIps.get(ctx);
  if (ip === undefined) requestIps.set(ctx, (ip = normalizeIp(ctx.ip)));
  return ip;
}

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
