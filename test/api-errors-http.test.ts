/**
 * The rows of PROTOCOL.md's error table about the request itself rather than
 * the login: a method the path does not take (405), a body over 16 KiB (413),
 * a body that is not UTF-8 JSON (415). Each refused request changes nothing.
 */
import { request as httpRequest } from 'node:http';
import { appToken, bearer, call, createLogin, readSession, secretHeader } from './support/client';
import { expectError, expectRefused } from './support/expect';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
let base: string;
beforeAll(async () => {
  server = await startTestServer({ store: 'redis' });
  base = server.url;
});
afterAll(() => server.close());

const anaToken = () => bearer(appToken('ana'));
const post = (path: string, body: unknown, headers: Record<string, string> = anaToken()) => call(base, 'POST', path, { body, headers });

describe('405 method_not_allowed', () => {
  test.each([
    ['PUT', '/api/login-sessions/:id'],
    ['PATCH', '/api/login-sessions/:id'],
    ['POST', '/api/login-sessions/:id'],
    ['GET', '/api/login-sessions'],
    ['DELETE', '/api/login-sessions'],
    ['GET', '/api/login-sessions/:id/redeem'],
    ['POST', '/api/login-sessions/:id/qr.png'],
    ['GET', '/api/mobile/scan'],
    ['PUT', '/api/mobile/confirm'],
    ['DELETE', '/api/mobile/cancel'],
    ['POST', '/api/me'],
    ['GET', '/api/demo/app-token'],
    ['POST', '/healthz'],
  ])('%s %s', async (method, pattern) => {
    const login = await createLogin(base);
    const res = await call(base, method, pattern.replace(':id', login.id), { headers: secretHeader(login) });
    expectError(res, 405, 'method_not_allowed');
    expect(res.headers.get('allow')).toBeTruthy();
    expect(await readSession(base, login)).toMatchObject({ state: 'pending', version: 1 });
  });
});

describe('413 payload_too_large', () => {
  const big = JSON.stringify({ qr: 'x'.repeat(17 * 1024) });

  test('a body over 16 KiB on scan and on create', async () => {
    const login = await createLogin(base);
    await expectRefused(base, login, () => post('/api/mobile/scan', big), 413, 'payload_too_large');
    expectError(await call(base, 'POST', '/api/login-sessions', { body: big }), 413, 'payload_too_large');
  });

  test('a chunked body (no Content-Length) over 16 KiB', async () => {
    const login = await createLogin(base);
    await expectRefused(base, login, () => sendChunked('/api/mobile/scan', big, anaToken()), 413, 'payload_too_large');
  });

  test('a body of exactly 16 KiB is read', async () => {
    const login = await createLogin(base);
    const padded = JSON.stringify({ id: login.id, code: login.code, pad: '' });
    const exact = JSON.stringify({ id: login.id, code: login.code, pad: ' '.repeat(16 * 1024 - padded.length) });
    expect(Buffer.byteLength(exact)).toBe(16 * 1024);
    expect((await post('/api/mobile/scan', exact)).status).toBe(200);
  });
});

describe('415 unsupported_media_type', () => {
  test.each([
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/json; charset=latin1',
    'application/json; charset=utf-16',
    'application/json; charset=iso-8859-1',
  ])('Content-Type %s on scan and on create', async (contentType) => {
    const login = await createLogin(base);
    const body = JSON.stringify({ id: login.id, code: login.code });
    await expectRefused(
      base,
      login,
      () => call(base, 'POST', '/api/mobile/scan', { body, headers: { ...anaToken(), 'content-type': contentType } }),
      415,
      'unsupported_media_type',
    );
    expectError(await call(base, 'POST', '/api/login-sessions', { body, headers: { 'content-type': contentType } }), 415, 'unsupported_media_type');
  });

  test('UTF-8 JSON after a byte order mark is read (RFC 8259 lets a parser ignore it)', async () => {
    const res = await call(base, 'POST', '/api/login-sessions', { body: '\uFEFF{"svg": false}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(201);
    expect(res.body.qr).toEqual({ content: expect.any(String) });
  });

  test('application/json with charset=UTF-8 is accepted', async () => {
    const login = await createLogin(base);
    const body = JSON.stringify({ id: login.id, code: login.code });
    const res = await call(base, 'POST', '/api/mobile/scan', { body, headers: { ...anaToken(), 'content-type': 'application/json; charset=UTF-8' } });
    expect(res.status).toBe(200);
  });
});

/** A POST whose body is sent chunked, without Content-Length (fetch always sets one for a string). */
function sendChunked(path: string, body: string, headers: Record<string, string>) {
  return new Promise<import('./support/client').Reply>((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), headers: new Headers(res.headers as Record<string, string>) }),
      );
    });
    req.on('error', reject);
    for (let i = 0; i < body.length; i += 4096) req.write(body.slice(i, i + 4096));
    req.end();
  });
}
