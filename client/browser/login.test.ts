import { createQrLogin, type QrCode, type QrLoginHandle, type QrLoginOptions } from './login';
import { errorFor } from '../shared/errors';
import type { LoginSnapshot } from '../shared/protocol';
import { qrSvg as serverQrSvg } from '../../server/qr';
import {
  createdSession, FakeApi, FakeClock, FakeSockets, redeemedLogin, settle, snapshotOf, withoutSvg,
} from '../../test/support/browser-sdk-fakes';
import { decodeQrSvg } from '../../test/support/svg-raster';

/** One SDK instance wired to fakes, with everything it reported. */
function harness(options: Partial<QrLoginOptions> = {}) {
  const api = new FakeApi();
  const sockets = new FakeSockets();
  const clock = new FakeClock();
  const states: LoginSnapshot[] = [];
  const refreshFlags: boolean[] = [];
  const qrs: string[] = [];
  const reasons: string[] = [];
  const successes: unknown[] = [];
  const errors: { code: string }[] = [];
  const channels: string[] = [];
  const login: QrLoginHandle = createQrLogin({
    baseUrl: 'http://qr.test',
    api,
    openSocket: sockets.open,
    clock,
    longPollWaitMs: 25_000,
    onQr: (qr, reason) => (qrs.push(qr.content), reasons.push(reason)),
    onState: (s, { willRefresh }) => (states.push(s), refreshFlags.push(willRefresh)),
    onSuccess: (l) => successes.push(l),
    onError: (e) => errors.push(e),
    onChannel: (c) => channels.push(c),
    ...options,
  });
  /** Answers the pending create and lets the SDK open its socket. */
  const created = async (session = createdSession()) => {
    api.last('create').resolve(session);
    await settle();
    return session;
  };
  return { api, sockets, clock, states, refreshFlags, qrs, reasons, successes, errors, channels, login, created };
}

afterEach(() => settle());

describe('browser SDK: versions', () => {
  test('applies each newer version once, whichever channel brings it, and ignores older, equal and foreign ones', async () => {
    const h = harness();
    const session = await h.created();
    expect(h.sockets.last.auth).toEqual({ id: session.id, secret: session.secret });
    h.sockets.last.connect(snapshotOf(session, 'pending', 1)); // the join snapshot repeats version 1
    h.sockets.last.events.state(snapshotOf(session, 'scanned', 2));
    h.sockets.last.events.state(snapshotOf(session, 'scanned', 2)); // delivered twice (two nodes)
    h.sockets.last.events.state(snapshotOf(session, 'pending', 1)); // late, older
    h.sockets.last.events.state(snapshotOf(createdSession(), 'scanned', 9)); // another session's
    expect(h.states.map((s) => `${s.state}@${s.version}`)).toEqual(['pending@1', 'scanned@2']);

    // The socket drops; the long poll asks for what is newer than 2 and its answer counts once.
    h.sockets.last.drop();
    await settle();
    expect(h.api.last('poll').args[2]).toEqual({ after: 2, waitMs: 25_000 });
    h.sockets.last.events.state(snapshotOf(session, 'cancelled', 3)); // a stale socket event is still the session's
    h.api.last('poll').resolve(snapshotOf(session, 'cancelled', 3));
    await settle();
    expect(h.states.map((s) => `${s.state}@${s.version}`)).toEqual(['pending@1', 'scanned@2', 'cancelled@3']);
    expect(h.sockets.last.closed).toBe(true); // a final state ends the session's channels
  });

  test('redeems exactly once over the socket, even when confirmed arrives twice and redeemed before the ack', async () => {
    const h = harness();
    const session = await h.created();
    const socket = h.sockets.last;
    socket.connect(snapshotOf(session, 'pending', 1));
    socket.events.state(snapshotOf(session, 'confirmed', 3));
    socket.events.state(snapshotOf(session, 'confirmed', 3));
    await settle();
    expect(socket.redeems).toHaveLength(1);
    expect(h.api.calls.redeem).toHaveLength(0);

    socket.events.state(snapshotOf(session, 'redeemed', 4)); // the server pushes this before the ack
    expect(socket.closed).toBe(false); // the ack is still to come over this socket
    socket.redeems[0]?.resolve(redeemedLogin);
    await settle();
    expect(h.successes).toEqual([redeemedLogin]);
    expect(socket.closed).toBe(true);
  });

  test('redeems over HTTP when state arrives by long poll, also while a socket is connected but has sent no state', async () => {
    const h = harness();
    const session = await h.created();
    h.sockets.last.connect(); // handshake answered, join snapshot not (yet) delivered: not live
    await settle();
    h.api.last('poll').resolve(snapshotOf(session, 'confirmed', 3));
    await settle();
    expect(h.api.calls.redeem.map((c) => c.args)).toEqual([[session.id, session.secret]]);
    expect(h.sockets.last.redeems).toHaveLength(0);
    h.api.last('redeem').resolve(redeemedLogin);
    await settle();
    expect(h.successes).toEqual([redeemedLogin]);
    expect(h.api.live('poll')).toHaveLength(0);
  });
});

describe('browser SDK: the QR', () => {
  test('hands the page the v1.1 user code with the QR, and nothing of it to onState', async () => {
    const shown: QrCode[] = [];
    const h = harness({ onQr: (qr) => shown.push(qr) });
    const session = { ...createdSession(), userCode: 'BCDF-GHJK' };
    await h.created(session);
    expect(shown).toEqual([{ content: session.qr.content, svg: session.qr.svg, expiresAt: session.expiresAt, userCode: 'BCDF-GHJK' }]);
    expect(h.states).toEqual([snapshotOf(session, 'pending', 1)]);

    // A v1.0 server sends none: the page has nothing to show.
    const old = harness({ onQr: (qr) => shown.push(qr) });
    await old.created();
    expect(shown[1]).not.toHaveProperty('userCode');
  });
});

describe('browser SDK: the QR drawn in the browser', () => {
  test('asks the server to leave the SVG out ({svg: false}) and draws it from the content, as the server would have', async () => {
    const shown: QrCode[] = [];
    const h = harness({ onQr: (qr) => shown.push(qr) });
    expect(h.api.last('create').args).toEqual([{ svg: false }]);
    const session = withoutSvg(createdSession());
    await h.created(session);
    expect(shown).toHaveLength(1);
    expect(shown[0]?.svg).toBe(serverQrSvg(session.qr.content));
    expect(decodeQrSvg(shown[0]!.svg)).toBe(session.qr.content);
    expect(h.login.qr?.svg).toBe(shown[0]?.svg);

    // Each new code asks the same way and is drawn from its own content.
    const refreshing = h.login.refresh();
    h.api.last('abandon').resolve(undefined);
    await settle();
    expect(h.api.calls.create.map((c) => c.args)).toEqual([[{ svg: false }], [{ svg: false }]]);
    const next = withoutSvg(createdSession());
    await h.created(next);
    await refreshing;
    expect(decodeQrSvg(shown[1]!.svg)).toBe(next.qr.content);
  });

  test('a server that sends the SVG anyway (one older than the field): its SVG is shown as sent', async () => {
    const shown: QrCode[] = [];
    const h = harness({ onQr: (qr) => shown.push(qr) });
    const session = createdSession();
    session.qr.svg = '<svg xmlns="http://www.w3.org/2000/svg" data-from="server"></svg>';
    await h.created(session);
    expect(shown.map((qr) => qr.svg)).toEqual([session.qr.svg]);
  });

  test('a content no QR can hold: onError, the session given up, nothing shown', async () => {
    const h = harness();
    const session = withoutSvg(createdSession());
    session.qr.content += `&pad=${'x'.repeat(3000)}`;
    await h.created(session);
    expect(h.errors).toEqual([expect.objectContaining({ code: 'bad_response', message: expect.stringMatching(/^The QR code could not be drawn/) })]);
    expect(h.api.calls.abandon.map((c) => c.args)).toEqual([[session.id, session.secret]]);
    expect(h.qrs).toEqual([]);
    expect(h.sockets.opened).toHaveLength(0);
    expect(h.login.qr).toBeNull();
  });

  test('over HTTP: the create is a POST of the JSON body {"svg":false}', async () => {
    const requests: { url: string; init?: RequestInit }[] = [];
    const session = withoutSvg(createdSession());
    const shown: QrCode[] = [];
    const login = createQrLogin({
      baseUrl: 'http://qr.test',
      openSocket: new FakeSockets().open,
      clock: new FakeClock(),
      onQr: (qr) => shown.push(qr),
      fetch: async (url, init) => {
        requests.push({ url, init });
        if (init?.method === 'POST') return new Response(JSON.stringify(session), { status: 201, headers: { 'content-type': 'application/json' } });
        if (init?.method === 'DELETE') return new Response(null, { status: 204 });
        return new Promise<Response>((_, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
      },
    });
    await settle();
    const create = requests[0];
    expect(create?.url).toBe('http://qr.test/api/login-sessions');
    expect(create?.init).toMatchObject({ method: 'POST', body: '{"svg":false}', headers: expect.objectContaining({ 'content-type': 'application/json' }) });
    expect(decodeQrSvg(shown[0]!.svg)).toBe(session.qr.content);
    await login.stop();
  });
});

describe('browser SDK: fallback to long polling and back', () => {
  test('long polls from the start, stops at the socket\'s first state (not at its connect), resumes after a drop', async () => {
    const h = harness();
    const session = await h.created();
    // A socket may hang in its handshake for many seconds: the long poll does not wait for it.
    expect(h.channels).toEqual(['long-poll']);
    expect(h.api.live('poll').map((c) => c.args[2])).toEqual([{ after: 1, waitMs: 25_000 }]);
    h.sockets.last.events.connectFailed('websocket error'); // socket.io retries: still one poll loop
    await settle();
    expect(h.api.live('poll')).toHaveLength(1);

    h.api.last('poll').resolve(snapshotOf(session, 'scanned', 2));
    await settle();
    expect(h.api.last('poll').args[2]).toEqual({ after: 2, waitMs: 25_000 }); // the loop continues from the newest

    // Connected is not yet in the room: only the state the server sends after the join proves that.
    h.sockets.last.connect();
    await settle();
    expect(h.api.live('poll')).toHaveLength(1);
    expect(h.channels).toEqual(['long-poll']);
    h.sockets.last.events.state(snapshotOf(session, 'scanned', 2));
    await settle();
    expect(h.api.live('poll')).toHaveLength(0); // the pending long poll was aborted
    expect(h.channels).toEqual(['long-poll', 'socket']);

    h.sockets.last.drop('transport close');
    await settle();
    expect(h.channels).toEqual(['long-poll', 'socket', 'long-poll']);
    expect(h.api.live('poll').map((c) => c.args[2])).toEqual([{ after: 2, waitMs: 25_000 }]);
    expect(h.states.map((s) => s.state)).toEqual(['pending', 'scanned']);
  });

  test('a flapping socket: each drop resumes the long poll from the newest version, each first state stops it', async () => {
    const h = harness();
    const session = await h.created();
    const socket = h.sockets.last;
    for (let round = 0; round < 3; round++) {
      socket.connect(snapshotOf(session, 'scanned', 2));
      await settle();
      expect(h.api.live('poll')).toHaveLength(0);
      socket.drop('transport close');
      await settle();
      expect(h.api.live('poll').map((c) => c.args[2])).toEqual([{ after: 2, waitMs: 25_000 }]);
    }
    // The confirm lands while the socket is down: the poll brings it, the redeem goes over HTTP.
    h.api.last('poll').resolve(snapshotOf(session, 'confirmed', 3));
    await settle();
    expect(h.api.calls.redeem).toHaveLength(1);
    expect(socket.redeems).toHaveLength(0);
    socket.connect(snapshotOf(session, 'confirmed', 3)); // back meanwhile, with the same news
    h.api.last('redeem').resolve(redeemedLogin);
    await settle();
    expect(h.successes).toEqual([redeemedLogin]);
    expect(h.states.map((s) => `${s.state}@${s.version}`)).toEqual(['pending@1', 'scanned@2', 'confirmed@3']);
    expect(h.errors).toEqual([]);
  });

  test('a failing long poll is retried with growing waits, not in a busy loop', async () => {
    const h = harness();
    await h.created();
    h.sockets.last.events.connectFailed('websocket error');
    await settle();
    h.api.last('poll').reject(errorFor('network_error', 'offline'));
    await h.clock.advance(499);
    expect(h.api.calls.poll).toHaveLength(1); // first wait: 1000 ms * jitter 0.75
    await h.clock.advance(300);
    expect(h.api.calls.poll).toHaveLength(2);
    h.api.last('poll').reject(errorFor('unavailable', 'down', 503, 5)); // Retry-After: 5
    await h.clock.advance(4999);
    expect(h.api.calls.poll).toHaveLength(2);
    await h.clock.advance(1);
    expect(h.api.calls.poll).toHaveLength(3);
  });

  test('a long poll answered early without news waits pollIntervalMs before the next', async () => {
    const h = harness();
    const session = await h.created();
    h.sockets.last.events.connectFailed('websocket error');
    await settle();
    h.api.last('poll').resolve(snapshotOf(session, 'pending', 1));
    await h.clock.advance(999);
    expect(h.api.calls.poll).toHaveLength(1);
    await h.clock.advance(1);
    expect(h.api.calls.poll).toHaveLength(2);
  });

  test('a refused handshake (not_found) means the session is gone: it is treated as expired and replaced', async () => {
    const h = harness();
    const session = await h.created();
    h.sockets.last.events.connectFailed('not_found');
    await settle();
    expect(h.states.map((s) => `${s.state}@${s.version}`)).toEqual(['pending@1', 'expired@2']);
    expect(h.api.live('poll')).toHaveLength(0); // the first session's poll ended with it
    expect(h.api.calls.create).toHaveLength(2);
    await h.created();
    expect(h.reasons).toEqual(['first', 'expired']);
    expect(h.sockets.opened[0]?.closed).toBe(true);
    expect(h.sockets.last.auth.id).not.toBe(session.id);
  });
});

describe('browser SDK: expiry and retries', () => {
  test('an expired code is replaced by a new one, up to maxCodes; refresh() starts again', async () => {
    const h = harness({ maxCodes: 2 });
    const first = await h.created();
    h.sockets.last.connect();
    h.sockets.last.events.state(snapshotOf(first, 'expired', 2));
    await settle();
    expect(h.refreshFlags).toEqual([false, true]);
    const second = await h.created();
    h.sockets.last.events.state(snapshotOf(second, 'expired', 2));
    await h.clock.advance(120_000);
    expect(h.refreshFlags).toEqual([false, true, false, false]);
    expect(h.api.calls.create).toHaveLength(2); // the cap: no third code by itself
    expect(h.sockets.last.closed).toBe(true);

    void h.login.refresh();
    await settle();
    expect(h.api.calls.create).toHaveLength(3);
    await h.created();
    expect(h.reasons).toEqual(['first', 'expired', 'refresh']);
  });

  test('past expiresIn without an expired event, the SDK asks the server once and replaces the code', async () => {
    const h = harness();
    const session = await h.created(createdSession(30));
    h.sockets.last.connect(snapshotOf(session, 'pending', 1));
    expect(h.api.calls.poll).toHaveLength(1); // the long poll of the start, aborted by the socket's state
    await h.clock.advance(31_999);
    expect(h.api.calls.poll).toHaveLength(1);
    await h.clock.advance(1);
    expect(h.api.last('poll').args).toEqual([session.id, session.secret, undefined]);
    h.api.last('poll').resolve(snapshotOf(session, 'expired', 2));
    await settle();
    expect(h.api.calls.create).toHaveLength(2);
  });

  test('create is retried with backoff on network errors, honouring Retry-After, and gives up on a 4xx', async () => {
    const h = harness({ maxAttempts: 3 });
    h.api.last('create').reject(errorFor('network_error', 'offline'));
    await h.clock.advance(749);
    expect(h.api.calls.create).toHaveLength(1);
    await h.clock.advance(1);
    expect(h.api.calls.create).toHaveLength(2);
    h.api.last('create').reject(errorFor('rate_limited', 'slow down', 429, 10));
    await h.clock.advance(9_999);
    expect(h.api.calls.create).toHaveLength(2);
    await h.clock.advance(1);
    expect(h.api.calls.create).toHaveLength(3);
    h.api.last('create').reject(errorFor('network_error', 'offline'));
    await h.clock.advance(60_000);
    expect(h.api.calls.create).toHaveLength(3); // maxAttempts reached
    expect(h.errors.map((e) => e.code)).toEqual(['network_error']);

    const other = harness();
    other.api.last('create').reject(errorFor('invalid_request', 'no'));
    await other.clock.advance(60_000);
    expect(other.api.calls.create).toHaveLength(1);
    expect(other.errors.map((e) => e.code)).toEqual(['invalid_request']);
  });

  test('a redeem without an answer is retried; a refused one is reported, never retried', async () => {
    const h = harness();
    const session = await h.created();
    h.sockets.last.connect(snapshotOf(session, 'confirmed', 3));
    await settle();
    // The socket drops before the ack: socket.io rejects the pending ack at once.
    h.sockets.last.drop();
    h.sockets.last.redeems[0]?.reject(errorFor('network_error', 'socket has been disconnected'));
    await settle();
    expect(h.api.calls.redeem).toHaveLength(1); // over HTTP at once: another channel, no backoff wait
    h.api.last('redeem').reject(errorFor('network_error', 'offline'));
    await h.clock.advance(749);
    expect(h.api.calls.redeem).toHaveLength(1);
    await h.clock.advance(1);
    expect(h.api.calls.redeem).toHaveLength(2); // then with backoff
    h.api.last('redeem').reject(errorFor('already_redeemed', 'twice', 409));
    await h.clock.advance(60_000);
    expect(h.api.calls.redeem).toHaveLength(2);
    expect(h.errors.map((e) => e.code)).toEqual(['already_redeemed']);
    expect(h.successes).toEqual([]);
  });

  test('a socket that gave no redeem answer is not asked again: the retry goes over HTTP and gets the token', async () => {
    const h = harness();
    const session = await h.created();
    h.sockets.last.connect(snapshotOf(session, 'confirmed', 3));
    await settle();
    // The socket still looks connected (its node froze), but its ack never came.
    h.sockets.last.redeems[0]?.reject(errorFor('network_error', 'no ack'));
    await h.clock.advance(60_000);
    expect(h.sockets.last.redeems).toHaveLength(1);
    expect(h.api.calls.redeem.map((c) => c.args)).toEqual([[session.id, session.secret]]);
    // Its first try fails too (no answer); the next one gets the token the server kept for it.
    h.api.last('redeem').reject(errorFor('network_error', 'offline'));
    await h.clock.advance(60_000);
    expect(h.api.calls.redeem).toHaveLength(2);
    h.api.last('redeem').resolve(redeemedLogin);
    await settle();
    expect(h.successes).toEqual([redeemedLogin]);
    expect(h.errors).toEqual([]);
  });

  test('a refusal over the socket (not a silence) is not retried over HTTP', async () => {
    const h = harness();
    const session = await h.created();
    h.sockets.last.connect(snapshotOf(session, 'confirmed', 3));
    await settle();
    h.sockets.last.redeems[0]?.reject(errorFor('unavailable', 'redis away', 503));
    await h.clock.advance(60_000);
    expect(h.sockets.last.redeems).toHaveLength(2); // a 503 answer came: the socket works, ask it again
    expect(h.api.calls.redeem).toHaveLength(0);
  });
});

describe('browser SDK: stop()', () => {
  test('gives an unfinished session up and closes everything', async () => {
    const h = harness();
    const session = await h.created();
    h.sockets.last.events.connectFailed('websocket error');
    await settle();
    const stopped = h.login.stop();
    expect(h.api.calls.abandon.map((c) => c.args)).toEqual([[session.id, session.secret]]);
    h.api.last('abandon').resolve(undefined);
    await stopped;
    expect(h.sockets.last.closed).toBe(true);
    expect(h.api.live('poll')).toHaveLength(0);
    await h.clock.advance(120_000);
    expect(h.api.calls.create).toHaveLength(1);
    expect(h.api.calls.poll).toHaveLength(1);
  });

  test('does not DELETE a confirmed session, and a create still in flight is abandoned when it lands', async () => {
    const h = harness();
    const session = await h.created();
    h.sockets.last.connect(snapshotOf(session, 'confirmed', 3));
    await h.login.stop();
    expect(h.api.calls.abandon).toHaveLength(0);

    const early = harness();
    await early.login.stop();
    const late = createdSession();
    early.api.last('create').resolve(late);
    await settle();
    expect(early.api.calls.abandon.map((c) => c.args)).toEqual([[late.id, late.secret]]);
    expect(early.sockets.opened).toHaveLength(0);
    expect(early.qrs).toEqual([]);
  });
});
