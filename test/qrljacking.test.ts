import { appToken, call, createLogin, mobile } from './support/client';
import { startTestServer, type TestServer } from './support/server';

/** QR-login phishing ("QRLJacking") defences: README "Security". */
describe('QR-login phishing defences', () => {
  let server: TestServer;
  let clock = Date.now();
  beforeAll(async () => {
    server = await startTestServer({ env: { TRUST_PROXY: '1', CONFIRM_WINDOW_SECONDS: '20' }, now: () => clock });
  });
  afterAll(() => server.close());

  const scanFrom = (ip: string, userId: string, body: unknown) =>
    call(server.url, 'POST', '/api/mobile/scan', { body, headers: { 'x-forwarded-for': ip, authorization: `Bearer ${appToken(userId)}` } });

  test('a QR whose URL is not PUBLIC_URL/m/login is refused and the session is untouched', async () => {
    const login = await createLogin(server.url);
    const query = `id=${login.id}&code=${login.code}`;
    const { host } = new URL(server.url);
    const foreign = [
      `https://evil.example/m/login?${query}`,
      `http://${host}.evil.example/m/login?${query}`,
      `http://evil.example@${host}.evil.example/m/login?${query}`,
      `https://${host}/m/login?${query}`,
      `${server.url}/m/other?${query}`,
      `${server.url}/x/../m/login/extra?${query}`,
      `javascript:alert(1)//${server.url}/m/login?${query}`,
      `/m/login?${query}`,
      query,
    ];
    for (const qr of foreign) {
      const res = await mobile(server.url, 'scan', 'ana', { qr });
      expect({ qr, status: res.status, error: res.body.error }).toEqual({ qr, status: 400, error: 'invalid_request' });
    }
    const state = await call(server.url, 'GET', `/api/login-sessions/${login.id}`, { headers: { 'x-login-secret': login.secret } });
    expect(state.body).toMatchObject({ state: 'pending', version: 1 });
  });

  test('scan shows the phone which browser asks, from where, and whether it is on the same network', async () => {
    const login = await createLogin(server.url, {
      'x-forwarded-for': '203.0.113.9',
      'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    });
    const far = await scanFrom('198.51.100.20', 'ana', { qr: login.qr.content });
    expect(far.status).toBe(200);
    expect(far.body.request).toEqual({
      ip: '203.0.113.9',
      userAgent: expect.stringContaining('Chrome/131'),
      browser: 'Chrome 131',
      os: 'Windows',
      createdAt: expect.any(String),
      sameNetwork: false,
    });
    const near = await scanFrom('203.0.113.200', 'ana', { qr: login.qr.content });
    expect(near.body.request.sameNetwork).toBe(true);
  });

  test('a session can be scanned by one user only: others cannot scan, confirm or cancel it', async () => {
    const login = await createLogin(server.url);
    const body = { id: login.id, code: login.code };
    expect((await mobile(server.url, 'scan', 'ana', body)).status).toBe(200);
    expect((await mobile(server.url, 'scan', 'mallory', body)).body.error).toBe('already_scanned');
    expect((await mobile(server.url, 'confirm', 'mallory', body)).body.error).toBe('forbidden');
    expect((await mobile(server.url, 'cancel', 'mallory', body)).body.error).toBe('forbidden');
    const state = await call(server.url, 'GET', `/api/login-sessions/${login.id}`, { headers: { 'x-login-secret': login.secret } });
    expect(state.body).toMatchObject({ state: 'scanned', version: 2, user: { id: 'ana' } });
  });

  test('a confirm later than CONFIRM_WINDOW_SECONDS after the scan is refused; within it, accepted', async () => {
    const late = await createLogin(server.url);
    const lateBody = { id: late.id, code: late.code };
    expect((await mobile(server.url, 'scan', 'ana', lateBody)).status).toBe(200);
    clock += 21_000;
    const refused = await mobile(server.url, 'confirm', 'ana', lateBody);
    expect(refused).toMatchObject({ status: 410, body: { error: 'expired' } });
    const state = await call(server.url, 'GET', `/api/login-sessions/${late.id}`, { headers: { 'x-login-secret': late.secret } });
    expect(state.body).toMatchObject({ state: 'scanned', version: 2 });

    const timely = await createLogin(server.url);
    const timelyBody = { id: timely.id, code: timely.code };
    expect((await mobile(server.url, 'scan', 'ana', timelyBody)).status).toBe(200);
    clock += 19_000;
    expect((await mobile(server.url, 'confirm', 'ana', timelyBody)).body.state).toBe('confirmed');
  });
});
