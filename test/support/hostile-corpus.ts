/**
 * A generated corpus of hostile HTTP requests against every endpoint, each
 * with the protocol answer it must get (PROTOCOL.md "Errors"). Used by
 * test/hostile-input.test.ts. Requests are sent raw (node:http), so path
 * tricks like `..%2f` reach the server exactly as written.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import jwt from 'jsonwebtoken';
import { TEST_APP_SECRET, TEST_WEB_SECRET } from './server';
import type { CreatedLogin } from './client';
import { badClaimTokens, forgedBearers } from './forged-tokens';

export interface HostileRequest {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  expect: { status: number; error: string };
}

/** Sessions in every state, made by the test before the corpus runs. */
export interface Fixtures {
  pending: CreatedLogin;
  scanned: CreatedLogin; // scanned by `ana`
  confirmed: CreatedLogin; // confirmed by `ana`
  redeemed: CreatedLogin;
  cancelled: CreatedLogin;
}

const appBearer = (userId: string) => `Bearer ${jwt.sign({ name: userId }, TEST_APP_SECRET, { subject: userId, expiresIn: 600 })}`;
const JSON_TYPE = { 'content-type': 'application/json' };

/** Bodies that are not a JSON object of at most 16 KiB, with the error each must get. */
function badBodies(): { name: string; body: string; headers?: Record<string, string>; status: number; error: string }[] {
  const invalid = (name: string, body: string) => ({ name, body, status: 400, error: 'invalid_request' });
  let deepArray = '';
  for (let i = 0; i < 5000; i++) deepArray = `[${deepArray}]`;
  return [
    invalid('truncated JSON', '{"id": "'),
    invalid('trailing comma', '{"id": 1,}'),
    invalid('single quotes', "{'id': 'x'}"),
    invalid('bare word', 'hello'),
    invalid('NaN literal', '{"id": NaN}'),
    invalid('comment in JSON', '{"id": 1 /* x */}'),
    invalid('two objects', '{}{}'),
    invalid('JSON array', '["id", "code"]'),
    invalid('JSON string', '"id"'),
    invalid('JSON number', '42'),
    invalid('JSON null', 'null'),
    invalid('JSON true', 'true'),
    invalid('deeply nested array (5000 levels)', deepArray),
    invalid('invalid UTF-8 bytes as text', '{"id": "\udc00"'),
    { name: 'text/plain body', body: '{}', headers: { 'content-type': 'text/plain' }, status: 415, error: 'unsupported_media_type' },
    { name: 'form body', body: 'id=1&code=2', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, error: 'unsupported_media_type' },
    { name: 'XML body', body: '<id>1</id>', headers: { 'content-type': 'application/xml' }, status: 415, error: 'unsupported_media_type' },
    { name: 'multipart body', body: '--x--', headers: { 'content-type': 'multipart/form-data; boundary=x' }, status: 415, error: 'unsupported_media_type' },
    { name: 'latin1 charset', body: '{}', headers: { 'content-type': 'application/json; charset=latin1' }, status: 415, error: 'unsupported_media_type' },
    { name: 'utf-16 charset', body: '{}', headers: { 'content-type': 'application/json; charset=utf-16' }, status: 415, error: 'unsupported_media_type' },
    { name: 'malformed content-type', body: '{}', headers: { 'content-type': 'application/json/x; charset=utf-8' }, status: 415, error: 'unsupported_media_type' },
    { name: 'body without content-type', body: '{}', headers: { 'content-type': '' }, status: 415, error: 'unsupported_media_type' },
    { name: 'body over 16 KiB', body: JSON.stringify({ pad: 'x'.repeat(17 * 1024) }), status: 413, error: 'payload_too_large' },
    { name: 'body of 1 MiB', body: JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }), status: 413, error: 'payload_too_large' },
  ];
}

/** JSON objects that parse but are not a valid `{id, code}` / `{qr}` for session `s`. */
function badMobileFields(s: CreatedLogin): [string, unknown][] {
  return [
    ['empty object', {}],
    ['id only', { id: s.id }],
    ['code only', { code: s.code }],
    ['numeric id', { id: 12345, code: s.code }],
    ['array id', { id: [s.id], code: s.code }],
    ['object id', { id: { $ne: null }, code: s.code }],
    ['null id', { id: null, code: s.code }],
    ['boolean code', { id: s.id, code: true }],
    ['array code', { id: s.id, code: [s.code] }],
    ['uppercase id', { id: s.id.toUpperCase(), code: s.code }],
    ['id without dashes', { id: s.id.replace(/-/g, ''), code: s.code }],
    ['id with spaces', { id: ` ${s.id} `, code: s.code }],
    ['id with a path', { id: `${s.id}/../x`, code: s.code }],
    ['UUID v1 id', { id: 'c232ab00-9414-11ec-b3c8-9f6bdeced846', code: s.code }],
    ['code with padding', { id: s.id, code: `${s.code}==` }],
    ['code with spaces', { id: s.id, code: `${s.code} ` }],
    ['code of 10k characters', { id: s.id, code: 'a'.repeat(10_000) }],
    ['empty code', { id: s.id, code: '' }],
    ['qr of 3000 characters', { qr: `http://x/${'a'.repeat(3000)}` }],
    ['numeric qr', { qr: 7 }],
    ['empty qr', { qr: '' }],
    ['qr that is not a URL', { qr: 'not a url' }],
    ['__proto__ carrying the fields', JSON.parse(`{"__proto__": {"id": "${s.id}", "code": "${s.code}"}}`)],
    ['constructor.prototype carrying the fields', { constructor: { prototype: { id: s.id, code: s.code } } }],
  ];
}

export function hostileRequests(f: Fixtures): HostileRequest[] {
  const out: HostileRequest[] = [];
  const add = (r: HostileRequest) => out.push(r);
  const ana = appBearer('ana');
  const mobilePaths = ['/api/mobile/scan', '/api/mobile/confirm', '/api/mobile/cancel'];
  const target = { id: f.scanned.id, code: f.scanned.code };

  // Mobile API: every forged token, and every token with bad claims, on every action.
  for (const path of mobilePaths) {
    for (const [name, authorization] of forgedBearers(TEST_APP_SECRET)) {
      add({ name: `${path}: ${name}`, method: 'POST', path, headers: { ...JSON_TYPE, ...(authorization === undefined ? {} : { authorization }) }, body: JSON.stringify(target), expect: { status: 401, error: 'invalid_token' } });
    }
    for (const [name, token] of badClaimTokens()) {
      add({ name: `${path}: token with ${name}`, method: 'POST', path, headers: { ...JSON_TYPE, authorization: `Bearer ${token}` }, body: JSON.stringify(target), expect: { status: 401, error: 'invalid_token' } });
    }
  }
  // Mobile API: bad bodies and bad fields with a valid token.
  for (const path of mobilePaths) {
    for (const b of badBodies()) {
      add({ name: `${path}: ${b.name}`, method: 'POST', path, headers: { ...JSON_TYPE, authorization: ana, ...b.headers }, body: b.body, expect: { status: b.status, error: b.error } });
    }
    for (const [name, body] of badMobileFields(f.pending)) {
      add({ name: `${path}: ${name}`, method: 'POST', path, headers: { ...JSON_TYPE, authorization: ana }, body: JSON.stringify(body), expect: { status: 400, error: 'invalid_request' } });
    }
  }
  const mobileCall = (name: string, path: string, user: string, body: unknown, status: number, error: string) =>
    add({ name, method: 'POST', path, headers: { ...JSON_TYPE, authorization: appBearer(user) }, body: JSON.stringify(body), expect: { status, error } });
  const codeOf = (s: CreatedLogin) => ({ id: s.id, code: s.code });
  // Wrong codes and ids, other users, replays.
  for (const path of mobilePaths) {
    mobileCall(`${path}: wrong code`, path, 'ana', { id: f.pending.id, code: 'AAAAAAAAAAAAAAAAAAAAAA' }, 403, 'invalid_code');
    mobileCall(`${path}: another session's code`, path, 'ana', { id: f.pending.id, code: f.scanned.code }, 403, 'invalid_code');
    mobileCall(`${path}: unknown id`, path, 'ana', { id: randomUUID(), code: f.pending.code }, 404, 'not_found');
    mobileCall(`${path}: right code, extra __proto__ key`, path, 'ana', JSON.parse(`{"id":"${f.pending.id}","code":"wrong","__proto__":{"admin":true}}`), 403, 'invalid_code');
  }
  mobileCall('scan by another user after ana scanned', '/api/mobile/scan', 'mallory', codeOf(f.scanned), 409, 'already_scanned');
  mobileCall('confirm by another user', '/api/mobile/confirm', 'mallory', codeOf(f.scanned), 403, 'forbidden');
  mobileCall('cancel by another user', '/api/mobile/cancel', 'mallory', codeOf(f.scanned), 403, 'forbidden');
  mobileCall('confirm before scan', '/api/mobile/confirm', 'ana', codeOf(f.pending), 409, 'invalid_state');
  mobileCall('replayed confirm', '/api/mobile/confirm', 'ana', codeOf(f.confirmed), 409, 'invalid_state');
  mobileCall('scan of a confirmed session', '/api/mobile/scan', 'ana', codeOf(f.confirmed), 409, 'invalid_state');
  mobileCall('scan of a redeemed session (replayed QR)', '/api/mobile/scan', 'ana', codeOf(f.redeemed), 409, 'invalid_state');
  mobileCall('scan of a cancelled session', '/api/mobile/scan', 'ana', codeOf(f.cancelled), 409, 'invalid_state');
  mobileCall('confirm of a cancelled session', '/api/mobile/confirm', 'ana', codeOf(f.cancelled), 409, 'invalid_state');
  mobileCall('cancel of a redeemed session', '/api/mobile/cancel', 'ana', codeOf(f.redeemed), 409, 'invalid_state');
  // Typed user codes (v1.1): one that belongs to a login another user scanned, or that was used, opens nothing.
  mobileCall('user code of a login another user scanned', '/api/mobile/scan', 'mallory', { userCode: f.scanned.userCode }, 404, 'not_found');
  mobileCall('user code of a confirmed login', '/api/mobile/scan', 'ana', { userCode: f.confirmed.userCode }, 404, 'not_found');
  mobileCall('user code of a cancelled login, in lower case', '/api/mobile/scan', 'ana', { userCode: f.cancelled.userCode.toLowerCase() }, 404, 'not_found');
  for (const [name, userCode] of [['an object', { $gt: '' }], ['a list', [f.pending.userCode]], ['a number', 12345678], ['vowels', 'AEIO-UAEI'], ['9,000 letters long', 'B'.repeat(9000)]] as const) {
    mobileCall(`user code that is ${name}`, '/api/mobile/scan', 'ana', { userCode }, 400, 'invalid_request');
  }
  mobileCall('scan with a foreign QR URL', '/api/mobile/scan', 'ana', { qr: `https://evil.example/m/login?id=${f.pending.id}&code=${f.pending.code}` }, 400, 'invalid_request');

  // Browser API: bad ids on every route, each as written on the wire.
  const badIds = [
    f.pending.id.toUpperCase(),
    f.pending.id.replace(/-/g, ''),
    `${f.pending.id}0`,
    f.pending.id.slice(1),
    `%${f.pending.id.charCodeAt(0).toString(16)}${f.pending.id.slice(1)}`, // one character percent-encoded
    [...f.pending.id].map((c) => `%${c.charCodeAt(0).toString(16)}`).join(''), // every character percent-encoded
    '..%2f',
    '..%2f..%2fhealthz',
    '%2e%2e',
    '%00',
    `${f.pending.id}%00`,
    `${f.pending.id}%20`,
    '%27%20OR%201%3D1--',
    'null',
    'c232ab00-9414-11ec-b3c8-9f6bdeced846',
    '%C3%A9%C3%A9',
    '%E0%A4%A',
    'a'.repeat(2000),
  ];
  const secretHeader = { 'x-login-secret': f.pending.secret };
  for (const id of badIds) {
    for (const [method, suffix] of [['GET', ''], ['GET', '/qr.svg'], ['GET', '/qr.png'], ['POST', '/redeem'], ['DELETE', '']] as const) {
      add({ name: `${method} ${suffix || '/:id'} with id ${id.slice(0, 40)}`, method, path: `/api/login-sessions/${id}${suffix}`, headers: secretHeader, expect: { status: 400, error: 'invalid_request' } });
    }
  }
  // Browser API: the right id with a wrong secret reads as unknown (no existence oracle).
  const wrongSecrets: [string, Record<string, string>][] = [
    ['no secret', {}],
    ['empty secret', { 'x-login-secret': '' }],
    ['wrong secret', { 'x-login-secret': 'A'.repeat(43) }],
    ["another session's secret", { 'x-login-secret': f.scanned.secret }],
    ['the code as secret', { 'x-login-secret': f.pending.code }],
    ['secret with junk', { 'x-login-secret': `${f.pending.secret}!` }],
    ['huge secret', { 'x-login-secret': 'a'.repeat(4000) }],
  ];
  for (const [name, headers] of wrongSecrets) {
    for (const [method, suffix] of [['GET', ''], ['GET', '/qr.svg'], ['GET', '/qr.png'], ['POST', '/redeem'], ['DELETE', '']] as const) {
      add({ name: `${method} ${suffix || '/:id'}: ${name}`, method, path: `/api/login-sessions/${f.pending.id}${suffix}`, headers, expect: { status: 404, error: 'not_found' } });
    }
    add({ name: `redeem of the confirmed session: ${name}`, method: 'POST', path: `/api/login-sessions/${f.confirmed.id}/redeem`, headers, expect: { status: 404, error: 'not_found' } });
  }
  const browser = (name: string, method: string, s: CreatedLogin, suffix: string, status: number, error: string) =>
    add({ name, method, path: `/api/login-sessions/${s.id}${suffix}`, headers: { 'x-login-secret': s.secret }, expect: { status, error } });
  browser('unknown id with a secret', 'GET', { ...f.pending, id: randomUUID() }, '', 404, 'not_found');
  browser('redeem before scan', 'POST', f.pending, '/redeem', 409, 'authorization_pending');
  browser('redeem before confirm', 'POST', f.scanned, '/redeem', 409, 'authorization_pending');
  browser('replayed redeem past the re-delivery window', 'POST', f.redeemed, '/redeem', 409, 'already_redeemed');
  browser('redeem of a cancelled session', 'POST', f.cancelled, '/redeem', 409, 'access_denied');
  browser('DELETE of a confirmed session', 'DELETE', f.confirmed, '', 409, 'invalid_state');
  browser('DELETE of a redeemed session', 'DELETE', f.redeemed, '', 409, 'invalid_state');
  for (const query of ['waitMs=-1&after=1', 'waitMs=30001&after=1', 'waitMs=abc&after=1', 'waitMs=1e9&after=1', 'after=-1&waitMs=10', 'after=1.5&waitMs=10', 'after=x', 'after=1&after=2&waitMs=10', 'after=1e400&waitMs=10', 'waitMs=Infinity&after=1']) {
    browser(`long poll with ${query}`, 'GET', f.pending, `?${query}`, 400, 'invalid_request');
  }
  for (const b of badBodies()) {
    add({ name: `create: ${b.name}`, method: 'POST', path: '/api/login-sessions', headers: { ...JSON_TYPE, ...b.headers }, body: b.body, expect: { status: b.status, error: b.error } });
  }
  for (const b of badBodies().slice(0, 8)) {
    add({ name: `redeem: ${b.name}`, method: 'POST', path: `/api/login-sessions/${f.confirmed.id}/redeem`, headers: { ...JSON_TYPE, 'x-login-secret': f.confirmed.secret, ...b.headers }, body: b.body, expect: { status: b.status, error: b.error } });
  }

  // /api/me: every forged web token.
  for (const [name, authorization] of forgedBearers(TEST_WEB_SECRET)) {
    add({ name: `/api/me: ${name}`, method: 'GET', path: '/api/me', headers: authorization === undefined ? {} : { authorization }, expect: { status: 401, error: 'invalid_token' } });
  }
  add({ name: '/api/me: an app token instead of a web token', method: 'GET', path: '/api/me', headers: { authorization: ana }, expect: { status: 401, error: 'invalid_token' } });

  // Unknown paths, path tricks and wrong methods.
  for (const path of ['/api/login-sessions/x/y/z', '/api/login-sessions/..%2f..%2f..%2fetc%2fpasswd/qr.png/x', '/api/..%2f..%2fhealthz', '/%2e%2e/%2e%2e/etc/passwd', '/api/mobile/scan/..', '/api/mobile', '/assets/..%2f..%2fpackage.json', '/assets/%2e%2e%2fserver.js', '/assets/x.exe', '/api/demo/app-token/x']) {
    add({ name: `GET ${path}`, method: 'GET', path, expect: { status: 404, error: 'not_found' } });
  }
  add({ name: 'demo token endpoint with the demo off', method: 'POST', path: '/api/demo/app-token', headers: JSON_TYPE, body: '{"userId":"admin"}', expect: { status: 404, error: 'not_found' } });
  for (const [method, path] of [['PUT', '/api/login-sessions'], ['PATCH', `/api/login-sessions/${f.pending.id}`], ['PUT', `/api/login-sessions/${f.pending.id}/redeem`], ['GET', '/api/mobile/scan'], ['DELETE', '/api/mobile/confirm'], ['POST', '/api/me'], ['POST', '/healthz']] as [string, string][]) {
    add({ name: `${method} ${path}`, method, path, headers: secretHeader, expect: { status: 405, error: 'method_not_allowed' } });
  }
  return out;
}

export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/** Sends the request byte for byte (no URL normalisation) and parses a JSON answer. */
export function sendRaw(base: string, r: Pick<HostileRequest, 'method' | 'path' | 'headers' | 'body'>): Promise<RawReply> {
  const { hostname, port } = new URL(base);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers ?? {})) if (v !== '') headers[k] = v;
  if (r.body !== undefined) headers['content-length'] = String(Buffer.byteLength(r.body));
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method: r.method, path: r.path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        let body: any = text;
        try {
          body = JSON.parse(text);
        } catch {
          // left as text: the test then fails on the shape
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', (err) => {
      // The server may answer 413 and close before the whole body is written.
      if ((err as NodeJS.ErrnoException).code === 'EPIPE' || (err as NodeJS.ErrnoException).code === 'ECONNRESET') return;
      reject(err);
    });
    req.end(r.body);
  });
}
