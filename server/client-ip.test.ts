import ipaddr from 'ipaddr.js';
import { ipNetworkKey, normalizeIp } from './client-ip';

describe('client addresses', () => {
  test.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::ffff:10.0.0.1', '10.0.0.1'],
    ['::FFFF:203.0.113.9', '203.0.113.9'],
    ['::1', '::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['::ffff:7f00:1', '127.0.0.1'],
    ['not an address', 'not an address'],
  ])('normalizeIp(%s) is %s', (given, normal) => {
    expect(normalizeIp(given)).toBe(normal);
  });

  test.each([
    ['198.51.100.7', 64, '198.51.100.7'],
    ['::ffff:198.51.100.7', 64, '198.51.100.7'],
    ['2001:db8:1:2:3:4:5:6', 64, '2001:db8:1:2::/64'],
    ['2001:db8:1:2:3:4:5:6', 56, '2001:db8:1::/56'],
    ['2001:db8:1:2:3:4:5:6', 128, '2001:db8:1:2:3:4:5:6'],
  ])('ipNetworkKey(%s, /%i) is %s', (ip, prefix, key) => {
    expect(ipNetworkKey(ip, prefix)).toBe(key);
  });

  // The fast path for dotted decimal must give what ipaddr.js gives, and leave it what it would rewrite or refuse.
  test.each(['01.2.3.4', '0x7f.0.0.1', '256.1.1.1', '1.2.3', '1.2.3.4 ', '10.0.0.255', '::ffff:0.0.0.0'])('%s: as ipaddr.js says', (odd) => {
    let reference: string;
    try {
      reference = ipaddr.process(odd).toString();
    } catch {
      reference = odd;
    }
    expect(normalizeIp(odd)).toBe(reference);
  });
});
