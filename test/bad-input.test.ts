/**
 * "No endpoint answers 5xx to bad input" (PROTOCOL.md "Errors"): a seeded
 * sweep of odd bodies, content types, ids and headers over every endpoint.
 * Each answer is a 2xx/4xx; each 4xx is the `{error, message}` JSON; and the
 * session the sweep aims at is still intact at the end.
 */
import { appToken, bearer, call, createLogin, readSession, secretHeader, type CreatedLogin } from './support/client';
import { startTestServer, type TestServer } from './support/server';

/** Small deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 20261125;

let server: TestServer;
let login: CreatedLogin;
beforeAll(async () => {
  server = await startTestServer();
  login = await createLogin(server.url);
});
afterAll(() => server.close());

test('300 odd requests: never a 5xx, always JSON errors, the target session unharmed', async () => {
  const random = prng(SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const oddValues = [
    null, true, 0, -1, 1e308, '', ' ', 'a'.repeat(3000), '\u0000', '😀'.repeat(50), '../../etc/passwd', '%00',
    [], [1, 'a'], {}, { $gt: '' }, { __proto__: { admin: true } }, login.id.toUpperCase(), login.code,
  ];
  const bodies = () =>
    pick([
      undefined,
      '{',
      '[]',
      'null',
      '"x"',
      '{"a":' + '['.repeat(200) + ']'.repeat(200) + '}',
      JSON.stringify({ id: pick([login.id, ...oddValues]), code: pick([login.code, ...oddValues]) }),
      JSON.stringify({ qr: pick([login.qr.content + '&x=1', `${login.qr.content}#frag`, ...oddValues]) }),
      JSON.stringify({ userId: pick(oddValues), name: pick(oddValues), picture: pick(oddValues) }),
      Buffer.from([0xc3, 0x28, 0xa0, 0xa1]).toString('latin1'),
    ]);
  const routes = () => {
    const query = `after=${pick(['x', '-1', '1', '9'.repeat(30)])}&waitMs=${pick(['0', '10', 'NaN', '1e3'])}`;
    return pick([
      ['POST', '/api/login-sessions'],
      ['GET', `/api/login-sessions/${login.id}`],
      ['GET', `/api/login-sessions/${login.id}?${query}`],
      ['POST', `/api/login-sessions/${login.id}/redeem`],
      ['DELETE', `/api/login-sessions/${login.id}`],
      ['GET', `/api/login-sessions/${login.id}/qr.png`],
      ['GET', `/api/login-sessions/${encodeURIComponent(String(pick(oddValues)))}`],
      ['POST', '/api/mobile/scan'],
      ['POST', '/api/mobile/confirm'],
      ['POST', '/api/mobile/cancel'],
      ['GET', '/api/me'],
      ['POST', '/api/demo/app-token'],
      ['POST', '/api/../api/mobile/scan'],
    ] as const);
  };
  const headerSets = (): Record<string, string> => ({
    ...pick<Record<string, string>>([{}, bearer(appToken('ana')), bearer(appToken('zed')), { authorization: pick(['Bearer', 'Bearer a.b.c', 'x'.repeat(500)]) }]),
    ...pick<Record<string, string>>([{}, secretHeader(login), { 'x-login-secret': pick(['', 'x', '??']) }]),
    ...pick<Record<string, string>>([{}, { 'content-type': pick(['application/json', 'text/plain', 'application/json; charset=latin1', 'application/json;;', 'multipart/form-data; boundary=x']) }]),
  });

  const answers: string[] = [];
  for (let i = 0; i < 300; i++) {
    const [usual, path] = routes();
    const method = random() < 0.1 ? pick(['GET', 'POST', 'DELETE', 'PUT', 'PATCH']) : usual;
    const body = method === 'GET' ? undefined : bodies();
    const res = await call(server.url, method, path, { body, headers: headerSets() });
    const what = `#${i} ${method} ${path} → ${res.status}`;
    answers.push(what);
    expect(`${what} ${res.status < 500 ? 'ok' : JSON.stringify(res.body)}`).toBe(`${what} ok`);
    if (res.status >= 400) expect({ what, body: res.body }).toEqual({ what, body: { error: expect.any(String), message: expect.any(String) } });
  }
  // The sweep did hit the handlers (not just the router): refusals of many kinds came back.
  expect(new Set(answers.map((a) => a.split('→ ')[1])).size).toBeGreaterThanOrEqual(5);
  const after = await readSession(server.url, login);
  expect(['pending', 'scanned', 'confirmed', 'redeemed', 'cancelled']).toContain(after.state);
  expect((await call(server.url, 'GET', '/healthz')).status).toBe(200);
});
