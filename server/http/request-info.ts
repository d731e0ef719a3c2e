import UAParser from 'ua-parser-js';
import type { LoginRequestInfo } from '../../client/shared/protocol';
import { sameNetwork } from '../client-ip';
import type { SessionRecord } from '../session/types';

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
