import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const SDK = join(ROOT, 'dist', 'sdk');

const run = (file: string, args: string[]): Promise<{ code: number; out: string }> =>
  new Promise((resolve) => {
    execFile(file, args, { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr }));
  });

/** The SDK bundles as an app would consume them (npm test builds them first). */
describe('SDK bundles (dist/sdk)', () => {
  test('the ES module bundles load in Node and export the SDK', async () => {
    const script = `
      const mobile = await import(${JSON.stringify(join(SDK, 'mobile.mjs'))});
      const browser = await import(${JSON.stringify(join(SDK, 'browser.mjs'))});
      console.log(JSON.stringify({
        mobile: [typeof mobile.createMobileClient, new mobile.ExpiredError('expired', 'x', 410) instanceof mobile.QrLoginError],
        browser: [typeof browser.createQrLogin, typeof browser.renderQr],
        qr: mobile.parseLoginQr('https://login.example/auth/m/login?id=abc&code=xyz'),
      }));`;
    const result = await run(process.execPath, ['--input-type=module', '-e', script]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toEqual({
      mobile: ['function', true],
      browser: ['function', 'function'],
      qr: { origin: 'https://login.example', id: 'abc', code: 'xyz' },
    });
  });

  test('their type declarations check in an ES module app (node16 resolution)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qrlogin-sdk-types-'));
    const app = join(dir, 'app.mts');
    writeFileSync(app, `
      import { createQrLogin, renderQr, type QrLoginHandle, type LoginSnapshot } from ${JSON.stringify(join(SDK, 'browser.mjs'))};
      import { createMobileClient, ExpiredError, type ScannedLogin } from ${JSON.stringify(join(SDK, 'mobile.mjs'))};
      const login: QrLoginHandle = createQrLogin({ baseUrl: 'https://x', onQr: (qr) => renderQr(document.body, qr),
        onState: (s: LoginSnapshot) => s.version, onSuccess: ({ token }) => token.length });
      const phone = createMobileClient({ baseUrl: 'https://x', token: () => 'jwt' });
      export async function confirm(text: string): Promise<string> {
        try { const scanned: ScannedLogin = await phone.scan(text); return (await phone.confirm(scanned)).state; }
        catch (err) { if (err instanceof ExpiredError) return err.code; throw err; } finally { await login.stop(); }
      }
      // @ts-expect-error the SDK's options are typed
      createQrLogin({ baseUrl: 1 });
    `);
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', '--module', 'node16', '--moduleResolution', 'node16',
      '--target', 'es2022', '--lib', 'es2022,dom', '--types', 'node', '--typeRoots', join(ROOT, 'node_modules', '@types'), app]);
    expect(result.out).toBe('');
    expect(result.code).toBe(0);
  });
});
