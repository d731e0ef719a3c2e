/**
 * The page a phone camera opens (`/m/login?id=…&code=…`). It stands in for
 * the website's own app: pick a demo user (the app's login), see which site,
 * account and browser the login is for, then confirm or cancel — all through
 * the mobile SDK. After that (or opened without a code) it lists the
 * browsers the user is logged in on, each with a sign-out button (linked
 * devices, v1.1). In the language the server chose (client/demo/i18n.ts).
 */
import { createMobileClient, type LoginRef, type MobileClient, type ScannedLogin } from '../mobile';
import { QrLoginError } from '../shared/errors';
import { demoText } from './i18n';
import { byId, serverBaseUrl, siteName } from './page-base';

const lang = document.documentElement.lang;
const text = demoText(lang).phone;
const site = siteName();

const DEMO_USERS = [
  { userId: 'ana', name: 'Ana' },
  { userId: 'ben', name: 'Ben' },
  { userId: 'chloe', name: 'Chloé' },
];

const baseUrl = serverBaseUrl();
const card = byId('phone');
const users = byId('users');
const pick = byId('pick');
const request = byId('request');
const result = byId('result');
const confirmButton = byId<HTMLButtonElement>('confirm');
const cancelButton = byId<HTMLButtonElement>('cancel');
const devicesSection = byId('devices');
const deviceList = byId('device-list');

const params = new URLSearchParams(location.search);
const ref: LoginRef | null = params.get('id') && params.get('code') ? { id: params.get('id') as string, code: params.get('code') as string } : null;

function step(name: 'pick' | 'request' | 'done' | 'error', message = ''): void {
  card.dataset.step = name;
  pick.hidden = name !== 'pick';
  request.hidden = name !== 'request';
  result.textContent = message;
}

const FRIENDLY: Partial<Record<string, string>> = {
  expired: text.expired,
  already_scanned: text.alreadyScanned,
  invalid_state: text.invalidState,
  invalid_code: text.invalidCode,
  not_found: text.notFound,
};
const explain = (err: unknown) =>
  err instanceof QrLoginError ? FRIENDLY[err.code] ?? err.message : text.failed((err as Error).message);

/** The demo's stand-in for the app's own login: a token from the demo endpoint. */
async function signInAs(user: (typeof DEMO_USERS)[number]): Promise<MobileClient> {
  const picture = `${baseUrl}/assets/avatar-${user.userId}.svg`;
  const res = await fetch(`${baseUrl}/api/demo/app-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...user, picture }),
  });
  if (!res.ok) throw new Error(text.demoOff(res.status));
  const { token } = (await res.json()) as { token: string };
  byId<HTMLImageElement>('me-avatar').src = picture;
  return createMobileClient({ baseUrl, token });
}

/** The request: which site, as whom, from which browser; focus moves to it so a screen reader reads it next. */
function showRequest(scanned: ScannedLogin, user: (typeof DEMO_USERS)[number]): void {
  const { request: info } = scanned;
  const ask = byId('ask');
  ask.textContent = text.ask(site, user.name);
  byId('req-browser').textContent = info.browser;
  byId('req-os').textContent = info.os;
  byId('req-ip').textContent = info.ip;
  const time = byId<HTMLTimeElement>('req-time');
  time.dateTime = info.createdAt;
  time.textContent = new Date(info.createdAt).toLocaleTimeString(lang);
  byId('warning').hidden = info.sameNetwork;
  step('request');
  ask.focus();
}

function wire(client: MobileClient, scanned: ScannedLogin): void {
  const act = async (action: 'confirm' | 'cancel') => {
    confirmButton.disabled = cancelButton.disabled = true;
    try {
      await client[action](scanned);
      step('done', action === 'confirm' ? text.done(scanned.request.browser) : text.cancelled);
      await showDevices(client);
    } catch (err) {
      step('error', explain(err));
    }
  };
  confirmButton.addEventListener('click', () => void act('confirm'));
  cancelButton.addEventListener('click', () => void act('cancel'));
}

/** The user's logged-in browsers, newest first, each with its sign-out button. */
async function showDevices(client: MobileClient): Promise<void> {
  const devices = await client.devices();
  const items = devices.map((device) => {
    const item = document.createElement('li');
    item.dataset.sid = device.sid;
    const line = document.createElement('span');
    line.textContent = text.device(device.browser, device.os, device.ip, new Date(device.createdAt).toLocaleTimeString(lang));
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = text.signOut;
    button.setAttribute('aria-label', text.signOutDevice(device.browser, device.os));
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await client.signOut(device.sid);
        await showDevices(client);
      } catch (err) {
        button.disabled = false;
        result.textContent = explain(err);
      }
    });
    item.append(line, button);
    return item;
  });
  if (items.length === 0) {
    const none = document.createElement('li');
    none.textContent = text.noDevices;
    items.push(none);
  }
  deviceList.replaceChildren(...items);
  devicesSection.hidden = false;
}

{
  for (const user of DEMO_USERS) {
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.user = user.userId;
    const img = document.createElement('img');
    img.src = `${baseUrl}/assets/avatar-${user.userId}.svg`;
    img.alt = '';
    button.append(img, text.continueAs(user.name));
    button.addEventListener('click', async () => {
      for (const b of Array.from(users.querySelectorAll('button'))) b.disabled = true;
      try {
        const client = await signInAs(user);
        // Opened without a code: the app's linked-devices screen.
        if (!ref) {
          step('done');
          return await showDevices(client);
        }
        const scanned = await client.scan(ref);
        showRequest(scanned, user);
        wire(client, scanned);
      } catch (err) {
        step('error', explain(err));
      }
    });
    users.append(button);
  }
  // Without a code there is nothing to confirm: how to get one, and the user pick for the devices list.
  step('pick', ref ? '' : text.noLink);
}
