import ipaddr from 'ipaddr.js';
import UAParser from 'ua-parser-js';
import type { LoginRequestInfo } from '../../client/shared/protocol';
import type { SessionRecord } from '../session/types';

// The wire type lives with the clients' protocol types, so the server's answer and the SDKs agree.
export type { LoginRequestInfo };

/** `::ffff:1.2.3.4` → `1.2.3.4`; anything unparseable is kept as given. */
export function normalizeIp(ip: string): string {
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

export function describeLoginRequest(record: SessionRecord, phoneIp: string): LoginRequestInfo {
  const ua = new UAParser(record.userAgent).getResult();
  const browser = [ua.browser.name, ua.browser.version?.split('.')[0]].filter(Boolean).join(' ');
  return {
    ip: record.ip,
    userAgent: record.userAgent,
    browser: browser || 'Unknown browser',
    os: ua.os.name || 'Unknown OS',
    createdAt: new Date(record.createdAt).toISOString(),
    sameNetwork: sameNetwork(record.ip, phoneIp),
  };
}
