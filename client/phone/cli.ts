#!/usr/bin/env node
/**
 * qrlogin-phone: a phone simulator for demos and tests.
 *   npm run phone -- <qr.png | qr-content> [--user ana] [--name Ana] [--token JWT] [--base-url URL] [--cancel | --scan-only]
 *   npm run phone -- --user-code BCDF-GHJK --base-url URL [--user ana] [--token JWT] [--cancel | --scan-only]   (typed instead of scanned)
 *   npm run phone -- devices --base-url URL [--user ana] [--token JWT]        (the user's logged-in browsers)
 *   npm run phone -- sign-out <sid> --base-url URL [--user ana] [--token JWT] (signs one of them out)
 * A real app token (--token or QRLOGIN_APP_TOKEN) needs --base-url; QRs naming another server are then refused.
 * Exit code 0 on success, 1 when the server refuses (the protocol error is printed), 2 on bad usage.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { QrLoginError } from '../shared/errors';
import { decodeQrFile } from './decode';
import { runDevices } from './devices';
import { runPhone, TOKEN_NEEDS_BASE_URL, USER_CODE_NEEDS_BASE_URL } from './phone';

const USAGE = [
  'usage: qrlogin-phone <qr.png | qr-content> [--user ana] [--name Ana] [--token JWT] [--base-url URL] [--cancel | --scan-only]',
  '       qrlogin-phone --user-code BCDF-GHJK --base-url URL [--user ana] [--name Ana] [--token JWT] [--cancel | --scan-only]',
  '       qrlogin-phone devices --base-url URL [--user ana] [--token JWT]',
  '       qrlogin-phone sign-out <sid> --base-url URL [--user ana] [--token JWT]',
].join('\n');

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        user: { type: 'string', default: 'ana' },
        name: { type: 'string' },
        token: { type: 'string' },
        'base-url': { type: 'string' },
        'user-code': { type: 'string' },
        cancel: { type: 'boolean', default: false },
        'scan-only': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const token = values.token ?? (process.env.QRLOGIN_APP_TOKEN || undefined);
  const command = positionals[0];
  if (command === 'devices' || command === 'sign-out') {
    // No QR to take the server from: it is always named.
    const baseUrl = values['base-url'];
    const sid = positionals[1];
    const extra = positionals.length - (command === 'sign-out' ? 2 : 1);
    if (!baseUrl || extra !== 0 || (command === 'sign-out' && !sid) || values['user-code'] !== undefined || values.cancel || values['scan-only']) {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    return report(() => runDevices({ command, sid, user: values.user, name: values.name, token, baseUrl, log }));
  }
  const userCode = values['user-code'];
  // A QR (file or text) or a typed user code, exactly one of them.
  const inputs = positionals.length + (userCode === undefined ? 0 : 1);
  if (values.help || inputs !== 1 || (values.cancel && values['scan-only'])) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const needsBaseUrl = userCode !== undefined ? USER_CODE_NEEDS_BASE_URL : token !== undefined ? TOKEN_NEEDS_BASE_URL : null;
  if (needsBaseUrl && values['base-url'] === undefined) {
    process.stderr.write(`${needsBaseUrl}\n${USAGE}\n`);
    return 2;
  }
  return report(async () => {
    const input = positionals[0];
    const qrContent = input === undefined ? undefined : existsSync(input) ? await decodeQrFile(input) : input;
    await runPhone({
      qrContent,
      userCode,
      user: values.user,
      name: values.name,
      token,
      baseUrl: values['base-url'],
      action: values.cancel ? 'cancel' : values['scan-only'] ? 'scan' : 'confirm',
      log,
    });
  });
}

const log = (line: string) => process.stdout.write(`${line}\n`);

/** Runs a command: exit code 0, or 1 with the protocol error printed when the server refuses. */
async function report(run: () => Promise<void>): Promise<number> {
  try {
    await run();
    return 0;
  } catch (err) {
    const text = err instanceof QrLoginError ? `${err.code}: ${err.message}` : (err as Error).message;
    process.stderr.write(`error: ${text}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
