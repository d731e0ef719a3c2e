import type { Socket } from 'socket.io-client';
import { randomToken } from '../server/session/secrets';
import { createLogger, redactUrl } from '../server/log';
import { appToken, bearer, call, connectBrowser, createLogin, mobile, waitForState } from './support/client';
import { startRedis } from './support/redis-server';
import { startTestServer, type TestServer } from './support/server';

describe('redactUrl', () => {
  test.each([
    ['/m/login?id=abc&code=s3cr3t', '/m/login?id=abc&code=[redacted]'],
    ['/x?Code=a&SECRET=b&token=c&qr=d&after=2', '/x?Code=[redacted]&SECRET=[redacted]&token=[redacted]&qr=[redacted]&after=2'],
    ['/x?%63ode=a', '/x?%63ode=[redacted]'],
    ['/api/login-sessions/abc', '/api/login-sessions/abc'],
  ])('%s', (url, expected) => expect(redactUrl(url)).toBe(expected));
});

describe('logs of a full login', () => {
  const lines: string[] = [];
  let server: TestServer;
  let socket: Socket | undefined;
  beforeAll(async () => {
    const logger = createLogger('trace', { write: (line: string) => void lines.push(line) });
    server = await startTestServer({ logger });
  });
  afterAll(async () => {
    socket?.close();
    await server.close();
  });
  const records = () => lines.map((line) => JSON.parse(line));

  test('hold one line per request and the transitions, and no secret, code or token', async () => {
    const login = await createLogin(server.url, { 'x-request-id': 'req-create-1' });
    socket = await connectBrowser(server.url, { id: login.id, secret: login.secret });
    const secretHeader = { 'x-login-secret': login.secret };
    // The phone page's URL carries the code in its query.
    await call(server.url, 'GET', `/m/login?id=${login.id}&code=${login.code}`);
    const token = appToken('ana');
    expect((await call(server.url, 'POST', '/api/mobile/scan', { body: { qr: login.qr.content }, headers: bearer(token) })).status).toBe(200);
    // Refused requests log too, with what they sent redacted.
    expect((await call(server.url, 'POST', '/api/mobile/confirm', { body: { id: login.id, code: login.code }, headers: bearer(`${token}x`) })).status).toBe(401);
    expect((await mobile(server.url, 'confirm', 'ana', { id: login.id, code: login.code })).status).toBe(200);
    await waitForState(socket, (s) => s.state === 'confirmed');
    expect((await call(server.url, 'GET', `/api/login-sessions/${login.id}?after=1&waitMs=10`, { headers: secretHeader })).status).toBe(200);
    const redeemed = await call(server.url, 'POST', `/api/login-sessions/${login.id}/redeem`, { headers: secretHeader });
    expect(redeemed.status).toBe(200);
    const me = await call(server.url, 'GET', '/api/me', { headers: { ...bearer(redeemed.body.token), 'x-request-id': 'bad id with spaces' } });
    expect(me.status).toBe(200);

    const text = lines.join('');
    for (const secret of [login.secret, login.code, token, redeemed.body.token, login.qr.content]) expect(text).not.toContain(secret);

    const requests = records().filter((r) => r.msg === 'request');
    expect(requests).toHaveLength(8);
    for (const r of requests) {
      expect(r).toMatchObject({ level: 30, method: expect.any(String), url: expect.any(String), status: expect.any(Number) });
      expect(r.durationMs).toBeGreaterThanOrEqual(0);
      expect(r.reqId).toMatch(/^[\w.:-]+$/);
    }
    expect(requests[0]).toMatchObject({ reqId: 'req-create-1', method: 'POST', url: '/api/login-sessions', status: 201 });
    expect(requests[1]).toMatchObject({ method: 'GET', url: `/m/login?id=${login.id}&code=[redacted]` });
    expect(requests.map((r) => r.status).slice(2)).toEqual([200, 401, 200, 200, 200, 200]);
    // An unusable caller id is replaced, and the id in use is returned.
    expect(requests[7].reqId).not.toBe('bad id with spaces');
    expect(me.headers.get('x-request-id')).toBe(requests[7].reqId);

    const transitions = records().filter((r) => r.msg === 'transition');
    expect(transitions.map((r) => [r.level, r.state, r.version])).toEqual([
      [20, 'scanned', 2],
      [20, 'confirmed', 3],
      [20, 'redeemed', 4],
    ]);
  });

  test('redaction covers secrets a log call passes by mistake', () => {
    const own: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void own.push(line) });
    logger.info({ secret: 's1', code: 'c1', token: 't1', qr: { content: 'q1' }, session: { secret: 's2', code: 'c2' } }, 'oops');
    logger.info({ req: { headers: { authorization: 'Bearer t2', 'x-login-secret': 's3', cookie: 'k1' } } }, 'oops');
    const text = own.join('');
    for (const value of ['s1', 'c1', 't1', 'q1', 's2', 'c2', 't2', 's3', 'k1']) expect(text).not.toContain(`"${value}`);
    expect(text.match(/\[redacted\]/g)?.length).toBe(9);
  });

  test('error codes stay readable while login codes are redacted', () => {
    const own: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void own.push(line) });
    const loginCode = randomToken(16);
    logger.warn({ err: { code: 'ECONNREFUSED' }, refused: { code: 'invalid_token' }, session: { code: loginCode } }, 'x');
    const [record] = own.map((line) => JSON.parse(line));
    expect(record).toMatchObject({ err: { code: 'ECONNREFUSED' }, refused: { code: 'invalid_token' }, session: { code: '[redacted]' } });
  });
});

describe('store fallbacks are warnings', () => {
  const capture = () => {
    const lines: string[] = [];
    return { lines, logger: createLogger('info', { write: (line: string) => void lines.push(line) }) };
  };
  const warnings = (lines: string[]) => lines.map((line) => JSON.parse(line)).filter((r) => r.level === 40).map((r) => r.msg);

  test('running without Redis warns that the in-memory store is for one development process', async () => {
    const { lines, logger } = capture();
    const server = await startTestServer({ store: 'memory', logger });
    await server.close();
    expect(warnings(lines)).toContainEqual(expect.stringMatching(/^REDIS_URL is not set: using the in-memory store/));
  });

  test('Redis going away: the 503 is logged as a warning, with the request line', async () => {
    const redis = await startRedis();
    const { lines, logger } = capture();
    const server = await startTestServer({ env: { REDIS_URL: redis.url }, logger });
    try {
      await redis.stop(true);
      expect((await call(server.url, 'POST', '/api/login-sessions')).status).toBe(503);
      expect(warnings(lines)).toContain('store unavailable');
      expect(lines.map((line) => JSON.parse(line)).find((r) => r.msg === 'request')).toMatchObject({ status: 503, level: 30 });
    } finally {
      await server.close();
    }
  });
});
