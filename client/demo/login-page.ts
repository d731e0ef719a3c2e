/**
 * The demo website's login page: shows the QR (or, at phone width, the code
 * to type into the app), follows the login live with the browser SDK, and
 * greets the user with what /api/me says of the token. In the language the
 * server chose (`<html lang>`, client/demo/i18n.ts).
 */
import { createQrLogin, renderQr, watchSession, type Channel, type QrLoginHandle, type SessionWatch } from '../browser';
import type { LoginSnapshot, RedeemedLogin, SignOutReason } from '../shared/protocol';
import { demoText } from './i18n';
import { byId, serverBaseUrl, siteName } from './page-base';

const text = demoText(document.documentElement.lang).login;
const site = siteName();
const baseUrl = serverBaseUrl();
const card = byId('login');
const qrBox = byId('qr');
const userCodeLine = byId('user-code-line');
const userCode = byId('user-code');
const status = byId('status');
const who = byId('who');
const avatar = byId<HTMLImageElement>('avatar');
const startOver = byId<HTMLButtonElement>('start-over');
const again = byId<HTMLButtonElement>('again');
const hint = byId('hint');
const phoneLink = byId<HTMLAnchorElement>('phone-link');
const channel = byId('channel');
const signOutButton = byId<HTMLButtonElement>('signout');

const CHANNEL_TEXT: Record<Channel, string> = { socket: text.liveSocket, 'long-poll': text.liveLongPoll, none: '' };
/** A phone-sized screen cannot be scanned by the phone showing it: there the page offers the user code. */
const phoneWidth = matchMedia('(max-width: 600px)');

interface View {
  /** The QR (and with it the user code and the scan hint) stays on screen. */
  qr?: boolean;
  /** The scanning user stays on screen, with "Not you? Start over". */
  scanner?: boolean;
  button?: string;
}

function show(state: string, message: string, view: View = {}): void {
  card.dataset.state = state;
  status.textContent = message;
  qrBox.hidden = view.qr === false;
  // Once someone scanned, "scan the code" is over: only who scanned and how to undo it remain.
  const waitingForScan = state === 'pending';
  hint.hidden = !waitingForScan;
  userCodeLine.hidden = !waitingForScan || !userCode.textContent;
  who.hidden = !view.scanner;
  startOver.hidden = !view.scanner || state !== 'scanned';
  again.hidden = !view.button;
  again.textContent = view.button ?? '';
}

let refreshed = false;
const pendingText = () => (refreshed ? text.expiredNewCode : card.dataset.userCode && phoneWidth.matches ? text.enterCode(site) : text.scan);

function onState(snapshot: LoginSnapshot, willRefresh: boolean): void {
  switch (snapshot.state) {
    case 'pending':
      return show('pending', pendingText());
    case 'scanned':
      if (snapshot.user?.avatarUrl) avatar.src = snapshot.user.avatarUrl;
      else avatar.removeAttribute('src');
      avatar.hidden = !snapshot.user?.avatarUrl;
      return show('scanned', text.scannedBy(snapshot.user?.displayName ?? text.someone), { scanner: true });
    case 'confirmed':
      return show('confirmed', text.confirmed, { scanner: true });
    case 'cancelled':
      return show('cancelled', text.cancelled, { qr: false, button: text.newCode });
    case 'expired':
      // The old code is dead: never leave it on screen, even for the moment the new one takes.
      return show('expired', willRefresh ? text.expiredRenewing : text.expired, { qr: false, button: willRefresh ? undefined : text.newCode });
    case 'redeemed':
      return; // the success callback takes over
  }
}

/** A site would keep the token in its own session; the demo checks it on /api/me and greets the user it names. */
async function onSuccess(login: RedeemedLogin): Promise<void> {
  sessionStorage.setItem('qrlogin-demo-token', login.token);
  show('confirmed', text.checkingToken, { qr: false, scanner: true });
  let me: { user: { displayName: string } };
  try {
    const res = await fetch(`${baseUrl}/api/me`, { headers: { authorization: `Bearer ${login.token}` } });
    if (!res.ok) return show('error', text.tokenRefused(res.status), { qr: false, button: text.tryAgain });
    me = (await res.json()) as typeof me;
  } catch (err) {
    return show('error', text.tokenUnchecked((err as Error).message), { qr: false, button: text.tryAgain });
  }
  show('welcome', text.welcome(me.user.displayName), { qr: false, scanner: true });
  channel.textContent = '';
  stayReachable(login.token);
}

const SIGNED_OUT_TEXT: Record<SignOutReason, string> = {
  revoked: text.signedOutRevoked,
  logout: text.signedOutLogout,
  expired: text.signedOutExpired,
};
let watch: SessionWatch | undefined;

/** While logged in, the page listens for a sign-out from the phone (or the token running out) and offers its own. */
function stayReachable(token: string): void {
  signOutButton.hidden = false;
  watch = watchSession(token, { baseUrl, onSignedOut: ({ reason }) => signedOut(reason) });
  signOutButton.onclick = async () => {
    signOutButton.disabled = true;
    const res = await fetch(`${baseUrl}/api/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }).catch(() => null);
    signOutButton.disabled = false;
    if (res?.status === 204) signedOut('logout');
    else status.textContent = text.signOutFailed;
  };
}

function signedOut(reason: SignOutReason): void {
  watch?.close();
  watch = undefined;
  sessionStorage.removeItem('qrlogin-demo-token');
  signOutButton.hidden = true;
  show('signed-out', SIGNED_OUT_TEXT[reason], { qr: false, button: text.logInAgain });
}

const login: QrLoginHandle = createQrLogin({
  baseUrl,
  onQr(qr, reason) {
    refreshed = reason === 'expired';
    renderQr(qrBox, qr, text.qrLabel);
    phoneLink.href = qr.content;
    userCode.textContent = qr.userCode ?? '';
    if (qr.userCode) card.dataset.userCode = qr.userCode;
    else delete card.dataset.userCode;
  },
  onState: (snapshot, { willRefresh }) => onState(snapshot, willRefresh),
  onSuccess: (result) => void onSuccess(result),
  onError: (err) => show('error', text.failed(err.message), { qr: false, button: text.tryAgain }),
  onChannel(current) {
    channel.dataset.channel = current;
    channel.textContent = CHANNEL_TEXT[current];
  },
});

/** A new code: the current one is given up first (a scanned one turns cancelled on the phone). */
function restart(): void {
  refreshed = false;
  show('starting', text.gettingCode, { qr: false });
  void login.refresh();
}
again.addEventListener('click', restart);
// "Not you? Start over": someone else's phone scanned (over a shoulder, a relayed QR): drop it, show a new code.
startOver.addEventListener('click', restart);
phoneWidth.addEventListener('change', () => {
  if (card.dataset.state === 'pending') status.textContent = pendingText();
});
// Closing the tab gives the session up, so the phone sees it cancelled.
addEventListener('pagehide', () => void login.stop());
// Back from the back/forward cache the stopped login is over: start afresh.
addEventListener('pageshow', (event) => {
  if (event.persisted) location.reload();
});
