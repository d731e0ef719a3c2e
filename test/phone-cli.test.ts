import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './support/cli';
import { appToken, createLogin, readSession, redeemOverHttp } from './support/client';
import { startTestServer, type TestServer } from './support/server';

describe('qrlogin-phone, the phone simulator CLI', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { DEMO: '1', DEMO_FORCE: '1' } });
  });
  afterAll(() => server.close());

  test('decodes the QR PNG, signs in as a demo user, scans and confirms: the browser can redeem', async () => {
    const login = await createLogin(server.url, { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36' });
    const png = await fetch(`${server.url}/api/login-sessions/${login.id}/qr.png`, { headers: { 'x-login-secret': login.secret } });
    expect(png.headers.get('content-type')).toBe('image/png');
    const file = join(mkdtempSync(join(tmpdir(), 'qrlogin-phone-')), 'qr.png');
    writeFileSync(file, Buffer.from(await png.arrayBuffer()));

    const run = await runCli([file, '--user', 'ana', '--name', 'Ana Lopez']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('scanned: Chrome 131 on Windows from 127.0.0.1 asks to log in');
    expect(run.stdout).toContain(`confirmed: login ${login.id} (version 3)`);
    expect(run.stdout).not.toContain('warning');
    expect(await redeemOverHttp(server.url, login)).toMatchObject({ status: 200, body: { user: { id: 'ana', displayName: 'Ana Lopez' } } });
  });

  test('given the QR text and an app token, it can cancel; a second run gets the protocol error and exit code 1', async () => {
    const login = await createLogin(server.url);
    const token = appToken('ben');
    const run = await runCli([login.qr.content, '--token', token, '--base-url', server.url, '--cancel']);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toContain(`cancelled: login ${login.id}`);
    expect(await redeemOverHttp(server.url, login)).toMatchObject({ status: 409, body: { error: 'access_denied' } });

    const again = await runCli([login.qr.content, '--token', token, '--base-url', `${server.url}/`]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: invalid_state: /);
  });

  describe('a QR that names another server never gets a real app token', () => {
    let attacker: Server;
    const seen: IncomingHttpHeaders[] = [];
    let attackerUrl: string;
    beforeAll(async () => {
      // Stands in for an attacker's server that relays a victim's-eye view of its own login QR.
      attacker = createServer((req, res) => {
        seen.push(req.headers);
        res.writeHead(500).end();
      });
      await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
      attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => attacker.close(() => resolve())));

    test('--token or QRLOGIN_APP_TOKEN without --base-url is bad usage (exit 2), nothing is sent', async () => {
      const login = await createLogin(server.url);
      const relayed = login.qr.content.replace(server.url, attackerUrl);
      const byFlag = await runCli([relayed, '--token', appToken('ana')]);
      expect(byFlag.code).toBe(2);
      expect(byFlag.stderr).toContain('needs --base-url');
      const byEnv = await runCli([relayed], { QRLOGIN_APP_TOKEN: appToken('ana') });
      expect(byEnv.code).toBe(2);
      expect(seen).toEqual([]);
    });

    test('with --base-url, a QR of another origin or base path is refused (exit 1), nothing is sent, the login stays pending', async () => {
      const login = await createLogin(server.url);
      const token = appToken('ana');
      for (const qr of [login.qr.content.replace(server.url, attackerUrl), login.qr.content.replace('/m/login', '/evil/m/login')]) {
        const run = await runCli([qr, '--base-url', server.url], { QRLOGIN_APP_TOKEN: token });
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/^error: Refused: this QR code points to /);
      }
      expect(seen).toEqual([]);
      expect(await readSession(server.url, login)).toMatchObject({ state: 'pending' });
      // The same token with the QR of the server it names works.
      const ok = await runCli([login.qr.content, '--base-url', server.url], { QRLOGIN_APP_TOKEN: token });
      expect(ok).toMatchObject({ code: 0, stderr: '' });
      expect(await readSession(server.url, login)).toMatchObject({ state: 'confirmed' });
    });
  });

  test('--user-code scans the login whose code was typed (any case), then confirms; an unknown code is not_found (exit 1)', async () => {
    const login = await createLogin(server.url);
    const run = await runCli(['--user-code', login.userCode.toLowerCase(), '--base-url', server.url, '--user', 'ben']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('scanned: ');
    expect(run.stdout).toContain(`confirmed: login ${login.id} (version 3)`);
    expect(await redeemOverHttp(server.url, login)).toMatchObject({ status: 200, body: { user: { id: 'ben' } } });

    const again = await runCli(['--user-code', login.userCode, '--base-url', server.url, '--user', 'ben']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: not_found: /);
  });

  test('--user-code needs --base-url (a code names no server) and excludes a QR: bad usage, exit 2', async () => {
    const login = await createLogin(server.url);
    const noServer = await runCli(['--user-code', login.userCode]);
    expect(noServer.code).toBe(2);
    expect(noServer.stderr).toContain('needs --base-url');
    expect((await runCli([login.qr.content, '--user-code', login.userCode, '--base-url', server.url])).code).toBe(2);
    expect(await readSession(server.url, login)).toMatchObject({ state: 'pending', version: 1 });
  });

  test('bad usage and unreadable input are refused with exit codes 2 and 1', async () => {
    expect((await runCli([])).code).toBe(2);
    expect((await runCli(['a', 'b'])).code).toBe(2);
    const notQr = join(mkdtempSync(join(tmpdir(), 'qrlogin-phone-')), 'blank.png');
    const { PNG } = await import('pngjs');
    const blank = new PNG({ width: 40, height: 40 });
    blank.data.fill(255);
    writeFileSync(notQr, PNG.sync.write(blank));
    const run = await runCli([notQr]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('No QR code found');
  });
});
