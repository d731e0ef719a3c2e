/**
 * `{"svg": false}` on `POST /api/login-sessions` (README "Protocol
 * additions"): the answer's `qr` has no `svg`; absent or `true` keep it as
 * PROTOCOL.md has it; any other value is `400 invalid_request` that writes no
 * session and spends no rate-limit point. Real node, real Redis (its keys are counted).
 */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import QRCode from 'qrcode';
import { qrSvg } from '../server/qr';
import { call, secretHeader } from './support/client';
import { expectError } from './support/expect';
import { sample, scrapeMetrics } from './support/metrics';
import { startTestServer, type TestServer } from './support/server';
import { decodeQrSvg } from './support/svg-raster';

const PREFIX = `test:${randomBytes(4).toString('hex')}:`;
const CREATES_PER_IP = 2;
let server: TestServer;
let redis: Redis;
beforeAll(async () => {
  server = await startTestServer({ env: { REDIS_KEY_PREFIX: PREFIX, RATE_LIMIT_CREATE_PER_IP: String(CREATES_PER_IP), TRUST_PROXY: '1' } });
  redis = new Redis(process.env.TEST_REDIS_URL as string);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.close();
});

/** Each test creates from its own address, so the per-IP limit is its own. */
let lastIp = 0;
const newIp = () => ({ 'x-forwarded-for': `203.0.113.${++lastIp}` });
const create = (headers: Record<string, string>, body?: unknown) => call(server.url, 'POST', '/api/login-sessions', { headers, body });
/** Session hashes (`<prefix>session:{<id>}`) in Redis: what a create writes. */
const sessionsInRedis = async () => (await redis.keys(`${PREFIX}session:{*}`)).length;
const createdTotal = async () => sample((await scrapeMetrics(server.url)).body as string, 'qrlogin_sessions_created_total') ?? 0;

test('svg: false: the answer\'s qr is only the content; the rest of the answer and the session are as usual', async () => {
  const res = await create(newIp(), { svg: false });
  expect(res.status).toBe(201);
  expect(res.body.qr).toEqual({ content: expect.stringMatching(new RegExp(`^${server.url}/m/login\\?id=${res.body.id}&code=[A-Za-z0-9_-]{22,}$`)) });
  expect(res.body).toMatchObject({ state: 'pending', version: 1, expiresIn: expect.any(Number), pollIntervalMs: expect.any(Number) });
  expect(res.body.secret).toMatch(/^[A-Za-z0-9_-]{43,}$/);
  expect(res.body.userCode).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
  expect(JSON.stringify(res.body)).not.toContain('<svg');

  // A real session: readable with its secret, and its qr.svg route still draws the image.
  const login = { id: res.body.id as string, secret: res.body.secret as string };
  expect(await call(server.url, 'GET', `/api/login-sessions/${login.id}`, { headers: secretHeader(login) })).toMatchObject({ status: 200, body: { state: 'pending' } });
  const image = await call(server.url, 'GET', `/api/login-sessions/${login.id}/qr.svg`, { headers: secretHeader(login) });
  expect(image.body).toBe(qrSvg(res.body.qr.content));
});

test('svg: false does not encode the QR at all (the cost it saves); the default encodes it once', async () => {
  const encode = jest.spyOn(QRCode, 'create');
  try {
    expect((await create(newIp(), { svg: false })).status).toBe(201);
    expect(encode).not.toHaveBeenCalled();
    expect((await create(newIp())).status).toBe(201);
    expect(encode).toHaveBeenCalledTimes(1);
  } finally {
    encode.mockRestore();
  }
});

test.each<[string, unknown]>([
  ['no body', undefined],
  ['{}', {}],
  ['svg: true', { svg: true }],
  ['svg: true among unknown fields, id included', { svg: true, id: '6f1c0000-0000-4000-8000-000000000000', state: 'confirmed' }],
])('%s: the answer has the server\'s SVG of the content, as PROTOCOL.md says', async (_, body) => {
  const res = await create(newIp(), body);
  expect(res.status).toBe(201);
  expect(Object.keys(res.body.qr).sort()).toEqual(['content', 'svg']);
  expect(res.body.qr.svg).toBe(qrSvg(res.body.qr.content));
  expect(decodeQrSvg(res.body.qr.svg)).toBe(res.body.qr.content);
  expect(res.body.id).not.toBe('6f1c0000-0000-4000-8000-000000000000');
});

test('unknown fields beside svg: false are ignored', async () => {
  const res = await create(newIp(), { svg: false, id: '6f1c0000-0000-4000-8000-000000000000', png: true });
  expect(res.status).toBe(201);
  expect(Object.keys(res.body.qr)).toEqual(['content']);
});

test('any other svg is 400 invalid_request naming the field: no session written, none counted, no rate-limit point spent', async () => {
  const ip = newIp();
  const [sessionsBefore, createdBefore] = [await sessionsInRedis(), await createdTotal()];
  for (const svg of ['false', 'true', 0, 1, null, [], {}, '']) {
    const res = await create(ip, { svg });
    expectError(res, 400, 'invalid_request');
    expect(res.body.message).toMatch(/^svg: must be true or false/);
  }
  expect(await sessionsInRedis()).toBe(sessionsBefore);
  expect(await createdTotal()).toBe(createdBefore);

  // The same address still has its whole budget, and the limit does hold.
  for (let i = 0; i < CREATES_PER_IP; i++) expect((await create(ip, { svg: false })).status).toBe(201);
  expect((await create(ip, { svg: false })).status).toBe(429);
  expect(await sessionsInRedis()).toBe(sessionsBefore + CREATES_PER_IP);
  expect(await createdTotal()).toBe(createdBefore + CREATES_PER_IP);
});
