/**
 * Racing requests on one login: the compare-and-set in the store lets exactly
 * one transition win, whatever channel asks (PROTOCOL.md: "exactly once,
 * atomically, whichever node and channel asks").
 */
import type { Socket } from 'socket.io-client';
import {
  abandonHttp,
  call,
  closeBrowsers,
  confirmedLogin,
  connectBrowser,
  createLogin,
  mobile,
  readSession,
  redeemHttp,
  scannedLogin,
  waitForState,
} from './support/client';
import { startTestServer, type StoreKind, type TestServer } from './support/server';

const RACERS = 30;
const tally = (codes: (number | string)[]) => codes.reduce<Record<string, number>>((t, c) => ({ ...t, [c]: (t[c] ?? 0) + 1 }), {});

describe.each<StoreKind>(['redis', 'memory'])('races (%s store)', (store) => {
  let server: TestServer;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    server = await startTestServer({ store });
  });
  afterEach(() => closeBrowsers(sockets, server));
  afterAll(() => server.close());

  test(`${RACERS} parallel confirms: exactly one 200, the rest 409 invalid_state`, async () => {
    const login = await scannedLogin(server.url, 'ana');
    const replies = await Promise.all(
      Array.from({ length: RACERS }, () => mobile(server.url, 'confirm', 'ana', { id: login.id, code: login.code })),
    );
    expect(tally(replies.map((r) => r.status))).toEqual({ 200: 1, 409: RACERS - 1 });
    for (const r of replies.filter((r) => r.status === 409)) expect(r.body.error).toBe('invalid_state');
    expect(await readSession(server.url, login)).toMatchObject({ state: 'confirmed', version: 3 });
  });

  /** RACERS redeems at once, half over HTTP, half spread over the login's sockets: one token, which every one of them gets. */
  async function raceRedeems(login: { id: string; secret: string }) {
    const viaHttp = Array.from({ length: RACERS / 2 }, () => redeemHttp(server.url, login).then((r) => r.body));
    const viaSocket = Array.from({ length: RACERS / 2 }, (_, i) => (sockets[i % sockets.length] as Socket).timeout(10_000).emitWithAck('redeem'));
    const answers = await Promise.all([...viaHttp, ...viaSocket]);
    expect(answers.filter((a) => typeof a.token !== 'string')).toEqual([]);
    const tokens = new Set(answers.map((a) => a.token));
    expect(tokens.size).toBe(1);
    const me = await call(server.url, 'GET', '/api/me', { headers: { authorization: `Bearer ${answers[0].token}` } });
    expect(me.body).toMatchObject({ user: { id: 'ana' } });
    expect(await readSession(server.url, login)).toMatchObject({ state: 'redeemed', version: 4 });
  }

  test(`${RACERS} parallel redeems over HTTP and socket acks: exactly one token`, async () => {
    const login = await confirmedLogin(server.url, 'ana');
    for (let i = 0; i < 5; i++) sockets.push(await connectBrowser(server.url, { id: login.id, secret: login.secret }));
    await raceRedeems(login);
  });

  test(`${RACERS} parallel redeems, the sockets' shortcuts among them (pushed confirmed): exactly one token`, async () => {
    const login = await scannedLogin(server.url, 'ana');
    for (let i = 0; i < 5; i++) sockets.push(await connectBrowser(server.url, { id: login.id, secret: login.secret }));
    expect((await mobile(server.url, 'confirm', 'ana', { id: login.id, code: login.code })).status).toBe(200);
    await Promise.all(sockets.map((socket) => waitForState(socket, (s) => s.state === 'confirmed')));
    await raceRedeems(login);
  });

  test(`${RACERS} users scan at once: one wins, the others get already_scanned`, async () => {
    const login = await createLogin(server.url);
    const replies = await Promise.all(
      Array.from({ length: RACERS }, (_, i) => mobile(server.url, 'scan', `user${i}`, { id: login.id, code: login.code })),
    );
    expect(tally(replies.map((r) => r.status))).toEqual({ 200: 1, 409: RACERS - 1 });
    for (const r of replies.filter((r) => r.status === 409)) expect(r.body.error).toBe('already_scanned');
    const winner = replies.findIndex((r) => r.status === 200);
    expect(await readSession(server.url, login)).toMatchObject({ state: 'scanned', version: 2, user: { id: `user${winner}` } });
  });

  test(`${RACERS} scans by the same user at once: all 200, one transition`, async () => {
    const login = await createLogin(server.url);
    const replies = await Promise.all(Array.from({ length: RACERS }, () => mobile(server.url, 'scan', 'ana', { id: login.id, code: login.code })));
    expect(tally(replies.map((r) => r.status))).toEqual({ 200: RACERS });
    for (const r of replies) expect(r.body).toMatchObject({ state: 'scanned', version: 2 });
    expect(await readSession(server.url, login)).toMatchObject({ state: 'scanned', version: 2 });
  });

  test('browser DELETEs racing the phone confirm: the answers agree with the one final state', async () => {
    const login = await scannedLogin(server.url, 'ana');
    const body = { id: login.id, code: login.code };
    const replies = await Promise.all(
      Array.from({ length: RACERS }, (_, i) => (i % 2 ? abandonHttp(server.url, login) : mobile(server.url, 'confirm', 'ana', body))),
    );
    const deletes = replies.filter((_, i) => i % 2).map((r) => r.status);
    const confirms = replies.filter((_, i) => !(i % 2)).map((r) => r.status);
    const final = await readSession(server.url, login);
    if (final.state === 'confirmed') {
      expect(tally(confirms)).toEqual({ 200: 1, 409: RACERS / 2 - 1 });
      expect(tally(deletes)).toEqual({ 409: RACERS / 2 });
    } else {
      expect(final.state).toBe('cancelled');
      expect(tally(confirms)).toEqual({ 409: RACERS / 2 });
      expect(tally(deletes)).toEqual({ 204: RACERS / 2 });
    }
    expect(final.version).toBe(3);
  });
});
