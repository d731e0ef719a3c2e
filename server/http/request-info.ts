import UAParser from 'ua-parser-js';
import type { LoginRequestInfo } from '../../client/shared/protocol';
import { requestIp, sameNetwork } from '../client-ip';
import type { Requester } from '../session/service';
import type { SessionRecord } from '../session/types';

/** Who makes an HTTP request: its client address (by the TRUST_PROXY rules) and User-Agent. */
export function requesterOf(ctx: { ip: string; get(field: string): string }): Requester {
  return { ip: requestIp(ctx), userAgent: ctx.get('user-agent') };
}

/** "Chrome 131" and "Windows" from a User-Agent, as the phone shows a browser. */
export function describeBrowser(userAgent: string): { browser: string; os: string } {
  const ua = new UAParser(userAgent).getResult();
  const browser = [ua.browser.name, ua.browser.version?.split('.')[0]].filter(Boolean).join(' ');
  return { browser: browser || 'Unknown browser', os: ua.os.name || 'Unknown OS' };
}

export function describeLoginRequest(record: SessionRecord, phoneIp: string): LoginRequestInfo {
  return {
    ip: record.ip,
    userAgent: record.userAgent,
    ...describeBrowser(record.userAgent),
    createdAt: new Date(record.createdAt).toISOString(),
    sameNetwork: sameNetwork(record.ip, phoneIp),
  };
}
