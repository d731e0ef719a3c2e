import {
  AlreadyScannedError, createMobileClient, ExpiredError, ForbiddenError, InvalidCodeError, InvalidRequestError,
  formatUserCode, InvalidStateError, InvalidTokenError, NetworkError, normalizeUserCode, NotFoundError, parseLoginQr, QrLoginError,
} from '../client/mobile';
import { freePort } from './support/ports';
import { appToken, createLogin, redeemOverHttp } from './support/client';
import { startTestServer, type TestServer } from './support/server';

/** Resolves the error a promise rejects with (fails the test if it resolves). */
async function failure(promise: Promise<unknown>): Promise<QrLoginError> {
  const outcome = await promise.then(() => null, (err: unknown) => err);
  if (!(outcome instanceof QrLoginError)) throw new Error(`expected a QrLoginError, got ${String(outcome)}`);
  return outcome;
}

describe('mobile SDK against a real server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());
  const phone = (userId: string) => createMobileClient({ baseUrl: server.url, token: appToken(userId, { name: 'Ana Example' }) });

  test('scan by QR content shows who asks, confirm logs the browser in', async () => {
    const login = await createLogin(server.url, { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36' });
    const scanned = await phone('ana').scan(login.qr.content);
    expect(scanned).toMatchObject({
      id: login.id, code: login.code, state: 'scanned', version: 2,
      request: { ip: '127.0.0.1', browser: 'Chrome 131', os: 'Linux', sameNetwork: true },
    });
    expect(await phone('ana').confirm(scanned)).toEqual({ id: login.id, state: 'confirmed', version: 3 });
    const redeem = await redeemOverHttp(server.url, login);
    expect(redeem).toMatchObject({ status: 200, body: { user: { id: 'ana', displayName: 'Ana Example' } } });
  });

  test('scan by id and code, then cancel', async () => {
    const login = await createLogin(server.url);
    const scanned = await phone('ben').scan({ id: login.id, code: login.code });
    expect(scanned.state).toBe('scanned');
    expect(await phone('ben').cancel(scanned)).toEqual({ id: login.id, state: 'cancelled', version: 3 });
  });

  test('each protocol error arrives as its typed error with code and status', async () => {
    const login = await createLogin(server.url);
    const ref = { id: login.id, code: login.code };

    const badToken = await failure(createMobileClient({ baseUrl: server.url, token: 'not.a.jwt' }).scan(ref));
    expect(badToken).toBeInstanceOf(InvalidTokenError);
    expect(badToken).toMatchObject({ code: 'invalid_token', status: 401 });
    expect(await failure(phone('ana').scan({ id: login.id, code: 'wrong-code' }))).toMatchObject({ code: 'invalid_code', status: 403, constructor: InvalidCodeError });
    expect(await failure(phone('ana').confirm(ref))).toBeInstanceOf(InvalidStateError); // confirm before scan

    await phone('ana').scan(ref);
    expect(await failure(phone('ben').scan(ref))).toMatchObject({ code: 'already_scanned', status: 409, constructor: AlreadyScannedError });
    expect(await failure(phone('ben').confirm(ref))).toMatchObject({ code: 'forbidden', constructor: ForbiddenError });
    await phone('ana').confirm(ref);
    expect(await failure(phone('ana').confirm(ref))).toMatchObject({ code: 'invalid_state', status: 409 });

    const unknown = { id: '11111111-2222-4333-8444-555555555555', code: login.code };
    expect(await failure(phone('ana').scan(unknown))).toMatchObject({ code: 'not_found', status: 404, constructor: NotFoundError });
  });

  test('a text that is no login QR is refused before any request; a QR of another server by the server', async () => {
    expect(parseLoginQr('hello')).toBeNull();
    const local = await failure(phone('ana').scan('https://example.com/somewhere'));
    expect(local).toMatchObject({ code: 'invalid_request', status: 0, constructor: InvalidRequestError });
    const login = await createLogin(server.url);
    const foreign = login.qr.content.replace(server.url, 'https://evil.example');
    expect(await failure(phone('ana').scan(foreign))).toMatchObject({ code: 'invalid_request', status: 400 });
  });

  test('scan by the typed user code (v1.1) in any spelling: the same answer plus the code, then confirm', async () => {
    const login = await createLogin(server.url);
    const typed = login.userCode.toLowerCase().replace('-', ' ');
    const scanned = await phone('ana').scanUserCode(typed);
    expect(scanned).toMatchObject({ id: login.id, code: login.code, state: 'scanned', version: 2, request: { ip: '127.0.0.1' } });
    expect(await phone('ana').confirm(scanned)).toEqual({ id: login.id, state: 'confirmed', version: 3 });
    expect(await redeemOverHttp(server.url, login)).toMatchObject({ status: 200, body: { user: { id: 'ana' } } });
    // Used: for the same user, and anyone, it opens nothing any more.
    expect(await failure(phone('ana').scanUserCode(login.userCode))).toMatchObject({ code: 'not_found', status: 404, constructor: NotFoundError });
  });

  test('a text that cannot be a user code is refused before any request', async () => {
    let requests = 0;
    const client = createMobileClient({ baseUrl: server.url, token: appToken('ana'), fetch: (url, init) => (requests++, fetch(url, init)) });
    for (const typed of ['', 'BCDF-GHJ', 'AEIO-UBCD', '1234-5678']) {
      expect(await failure(client.scanUserCode(typed))).toMatchObject({ code: 'invalid_request', status: 0, constructor: InvalidRequestError });
    }
    expect(requests).toBe(0);
    expect(normalizeUserCode(' bcdf-ghjk ')).toBe('BCDFGHJK');
    expect(formatUserCode('BCDFGHJK')).toBe('BCDF-GHJK');
  });

  test('the token function is asked before every call', async () => {
    const login = await createLogin(server.url);
    const asked: string[] = [];
    const client = createMobileClient({ baseUrl: server.url, token: async () => (asked.push('token'), appToken('cleo')) });
    const scanned = await client.scan(login.qr.content);
    await client.confirm(scanned);
    expect(asked).toEqual(['token', 'token']);
  });

  test('no server listening: NetworkError, retryable', async () => {
    const client = createMobileClient({ baseUrl: `http://127.0.0.1:${await freePort()}`, token: appToken('ana') });
    const err = await failure(client.scan({ id: '11111111-2222-4333-8444-555555555555', code: 'abc' }));
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.retryable).toBe(true);
  });
});

describe('mobile SDK: an expired login', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { QR_TTL_SECONDS: '1' } });
  });
  afterAll(() => server.close());

  test('scanning it throws ExpiredError (410)', async () => {
    const login = await createLogin(server.url);
    await new Promise((resolve) => setTimeout(resolve, Date.parse(login.expiresAt) - Date.now() + 100));
    const err = await failure(createMobileClient({ baseUrl: server.url, token: appToken('ana') }).scan(login.qr.content));
    expect(err).toMatchObject({ code: 'expired', status: 410, constructor: ExpiredError });
  });
});
