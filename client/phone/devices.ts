import { createMobileClient } from '../mobile';
import { demoToken } from './phone';

export interface DevicesRun {
  /** `devices` lists the user's logged-in browsers; `sign-out` signs the one with `sid` out. */
  command: 'devices' | 'sign-out';
  sid?: string;
  /** Demo user id to act as (ignored with `token`). */
  user: string;
  name?: string;
  /** An app JWT to use instead of minting one at the demo endpoint. */
  token?: string;
  /** Server origin (+ base path): there is no QR to take it from. */
  baseUrl: string;
  log: (line: string) => void;
}

/** The phone's linked-devices screen on the command line. */
export async function runDevices(run: DevicesRun): Promise<void> {
  const token = run.token ?? (await demoToken(run.baseUrl, run.user, run.name));
  const client = createMobileClient({ baseUrl: run.baseUrl, token });
  if (run.command === 'sign-out') {
    await client.signOut(run.sid as string);
    run.log(`signed out: ${run.sid}`);
    return;
  }
  const devices = await client.devices();
  if (devices.length === 0) run.log('no devices: this user is not logged in on any browser');
  for (const d of devices) run.log(`${d.sid}  ${d.browser} on ${d.os} from ${d.ip}, since ${d.createdAt}, until ${d.expiresAt}`);
}
