/**
 * The demo website's login page: shows the QR, follows the login live with
 * the browser SDK, and greets the user with what /api/me says of the token.
 */
import { createQrLogin, renderQr, type Channel, type QrLoginHandle } from '../browser';
import type { LoginSnapshot, RedeemedLogin } from '../shared/protocol';
import { byId, serverBaseUrl } from './page-base';

const baseUrl = serverBaseUrl();
const card = byId('login');
const qrBox = byId('qr');
const status = byId('status');
const who = byId('who');
const avatar = byId<HTMLImageElement>('avatar');
const again = byId<HTMLButtonElement>('again');
const hint = byId('hint');
const phoneLink = byId<HTMLAnchorElement>('phone-link');
const channel = byId('channel');

const CHANNEL_TEXT: Record<Channel, string> = { socket: 'Live over WebSocket', 'long-poll': 'Live over HTTP long polling', none: '' };

function show(state: string, text: string, options: { qr?: boolean; button?: string } = {}): void {
  card.dataset.state = state;
  status.textContent = text;
  qrBox.hidden = options.qr === false;
  hint.hidden = options.qr === false;
  again.hidden = !options.button;
  again.textContent = options.button ?? '';
  // The scanning user's avatar stays from the scan until the welcome.
  if (!['scanned', 'confirmed', 'welcome'].includes(state)) who.hidden = true;
}

function onState(snapshot: LoginSnapshot, willRefresh: boolean, refreshed: boolean): void {
  const name = snapshot.user?.displayName ?? 'someone';
  switch (snapshot.state) {
    case 'pending':
      return show('pending', refreshed ? 'Expired — new code' : 'Scan the code with your phone');
    case 'scanned':
      if (snapshot.user?.avatarUrl) {
        avatar.src = snapshot.user.avatarUrl;
        who.hidden = false;
      }
      return show('scanned', `Scanned by ${name} — confirm on your phone`);
    case 'confirmed':
      return show('confirmed', 'Confirmed — logging you in…');
    case 'cancelled':
      return show('cancelled', 'Cancelled', { qr: false, button: 'New code' });
    case 'expired':
      // The old code is dead: never leave it on screen, even for the moment the new one takes.
      return show('expired', willRefresh ? 'Expired — getting a new code…' : 'Expired', { qr: false, button: willRefresh ? undefined : 'New code' });
    case 'redeemed':
      return; // the success callback takes over
  }
}

/** A site would keep the token in its own session; the demo checks it on /api/me and greets the user it names. */
async function onSuccess(login: RedeemedLogin): Promise<void> {
  sessionStorage.setItem('qrlogin-demo-token', login.token);
  show('confirmed', 'Logged in — checking the token…', { qr: false });
  let me: { user: { displayName: string } };
  try {
    const res = await fetch(`${baseUrl}/api/me`, { headers: { authorization: `Bearer ${login.token}` } });
    if (!res.ok) return show('error', `The web token was refused (${res.status})`, { qr: false, button: 'Try again' });
    me = (await res.json()) as typeof me;
  } catch (err) {
    return show('error', `Could not check the web token: ${(err as Error).message}`, { qr: false, button: 'Try again' });
  }
  show('welcome', `Welcome, ${me.user.displayName}`, { qr: false });
  channel.textContent = '';
}

let refreshed = false;
const login: QrLoginHandle = createQrLogin({
  baseUrl,
  onQr(qr, reason) {
    refreshed = reason === 'expired';
    renderQr(qrBox, qr, 'QR code to log in: scan it with your phone');
    phoneLink.href = qr.content;
  },
  onState: (snapshot, { willRefresh }) => onState(snapshot, willRefresh, refreshed),
  onSuccess: (result) => void onSuccess(result),
  onError: (err) => show('error', `Something went wrong: ${err.message}`, { qr: false, button: 'Try again' }),
  onChannel(current) {
    channel.dataset.channel = current;
    channel.textContent = CHANNEL_TEXT[current];
  },
});

again.addEventListener('click', () => {
  show('starting', 'Getting a code…');
  void login.refresh();
});
// Closing the tab gives the session up, so the phone sees it cancelled.
addEventListener('pagehide', () => void login.stop());
// Back from the back/forward cache the stopped login is over: start afresh.
addEventListener('pageshow', (event) => {
  if (event.persisted) location.reload();
});
