import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appToken, createLogin, redeemOverHttp } from './support/client';
import { startTestServer, type TestServer } from './support/server';

const CLI = join(__dirname, '..', 'dist', 'client', 'phone', 'cli.js');

/** Runs the built `qrlogin-phone` (npm test builds first) as its own process. */
function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('qrlogin-phone, the phone simulator CLI', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { DEMO: '1' } });
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
    const run = await runCli([login.qr.content, '--token', token, '--cancel']);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toContain(`cancelled: login ${login.id}`);
    expect(await redeemOverHttp(server.url, login)).toMatchObject({ status: 409, body: { error: 'access_denied' } });

    const again = await runCli([login.qr.content, '--token', token]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: invalid_state: /);
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
