import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './support/node-process';
import { cloneFiles, copyFiles, linkNodeModules, npm, run, writeApp, type RunResult } from './support/package-copy';

/**
 * The package as a site gets it: `npm pack` of a clean copy of the repository
 * (its `prepack` builds), installed offline from the tarball into an empty app,
 * then used there through its `exports` only. One pack and install for all cases.
 */
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
let work: string;
let app: string;
let packed: { filename: string; files: { path: string }[] };
/** What `npm pack` printed (its lifecycle scripts' banners). */
let packOutput: string;

const show = (result: RunResult) => `exit ${result.code}\n${result.stdout}\n${result.stderr}`;
const node = (args: string[]) => run(process.execPath, args, { cwd: app });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'qrlogin-package-'));
  const clone = join(work, 'clone');
  copyFiles(await cloneFiles(), clone);
  linkNodeModules(clone);
  const pack = await npm(['pack', '--json', '--pack-destination', work], clone);
  if (pack.code !== 0) throw new Error(`npm pack failed\n${show(pack)}`);
  packOutput = pack.stdout + pack.stderr;
  const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { filename: string; integrity: string; files: { path: string }[] }[];
  packed = info as typeof packed;
  app = join(work, 'app');
  writeApp(app, `../${packed.filename}`, (info as { integrity: string }).integrity);
  const install = await npm(['ci', '--offline', '--no-audit', '--no-fund'], app);
  if (install.code !== 0) throw new Error(`npm ci of the tarball failed\n${show(install)}`);
}, 900_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm package', () => {
  test('the tarball holds what runs, a LICENSE and no tests, benchmarks or sources', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining([
      'LICENSE', 'README.md', 'package.json',
      'dist/server/index.js', 'dist/server/index.d.ts', 'dist/server/main.js',
      'dist/sdk/browser.mjs', 'dist/sdk/browser.d.mts', 'dist/sdk/mobile.mjs', 'dist/sdk/mobile.d.mts',
      'dist/client/mobile/index.js', 'dist/client/mobile/index.d.ts', 'dist/client/phone/cli.js',
      'dist/public/index.html', 'dist/public/assets/qrlogin-browser.js',
    ]));
    const stray = paths.filter((p) =>
      /(^|\/)(test|tests|bench|examples|scripts|coverage)\//.test(p) || /\.test\./.test(p) || (/\.ts$/.test(p) && !/\.d\.m?ts$/.test(p)) || /^tsconfig/.test(p));
    expect(stray).toEqual([]);
    // prepack built it, once: prepare (which builds on install) stands aside during a pack.
    expect(packOutput.match(/> tsc -p tsconfig\.build\.json/g)).toHaveLength(1);
    const manifest = JSON.parse(readFileSync(join(app, 'node_modules', 'qrlogin', 'package.json'), 'utf8'));
    expect(manifest.private).toBeUndefined();
    expect(readFileSync(join(app, 'node_modules', 'qrlogin', 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
  });

  test('every entry point imports from an ES module', async () => {
    const result = await node(['--input-type=module', '-e', `
      const server = await import('qrlogin');
      const browser = await import('qrlogin/browser');
      const mobile = await import('qrlogin/mobile');
      console.log(JSON.stringify({
        server: [typeof server.createQrLogin, typeof server.loadConfig, typeof server.LoginError],
        browser: [typeof browser.createQrLogin, typeof browser.renderQr],
        mobile: [typeof mobile.createMobileClient, new mobile.ExpiredError('expired', 'x', 410) instanceof mobile.QrLoginError],
      }));`]);
    expect(show(result)).toMatch(/^exit 0/);
    expect(JSON.parse(result.stdout)).toEqual({
      server: ['function', 'function', 'function'],
      browser: ['function', 'function'],
      mobile: ['function', true],
    });
  });

  test('the server and the mobile SDK require from CommonJS; the browser SDK (ESM only) loads with import()', async () => {
    const result = await node(['-e', `
      const server = require('qrlogin');
      const mobile = require('qrlogin/mobile');
      import('qrlogin/browser').then((browser) => console.log(JSON.stringify({
        server: [typeof server.createQrLogin, typeof server.loadConfig],
        mobile: [typeof mobile.createMobileClient, mobile.parseLoginQr('https://x.example/m/login?id=a&code=b').id],
        browser: typeof browser.createQrLogin,
      })));`]);
    expect(show(result)).toMatch(/^exit 0/);
    expect(JSON.parse(result.stdout)).toEqual({
      server: ['function', 'function'],
      mobile: ['function', 'a'],
      browser: 'function',
    });
  });

  test('the qrlogin-phone bin is installed and runs', async () => {
    const result = await run(join(app, 'node_modules', '.bin', 'qrlogin-phone'), ['--help'], { cwd: app });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^usage: qrlogin-phone /);
  });

  // A strict app using each entry point; the browser part is left out of the CommonJS file (that SDK is ESM only).
  const serverPart = `
    import { createServer } from 'node:http';
    import { createQrLogin, loadConfig, LoginError, type QrLogin, type QrLoginEvent, type Store } from 'qrlogin';
    export async function serve(store?: Store): Promise<QrLogin> {
      const qrlogin = await createQrLogin({
        publicUrl: 'http://localhost:3000', basePath: '/auth', redis: { url: 'redis://127.0.0.1:6379', keyPrefix: 'site:' },
        webJwt: { secret: 'x'.repeat(32) }, store,
        describeUser: async (claims) => ({ id: claims.sub, displayName: String(claims.name ?? claims.sub) }),
      });
      qrlogin.on('redeemed', (event: QrLoginEvent) => console.log(event.user?.id, event.ip, event.browser));
      const server = createServer((req, res) => qrlogin.handle(req, res, () => res.end()));
      await qrlogin.attach(server);
      return qrlogin;
    }
    export const fromEnvironment = () => createQrLogin({ config: loadConfig() });
    export const refuse = () => new LoginError('invalid_token', 'no');
    // @ts-expect-error the options are typed
    createQrLogin({ config: 1 });
  `;
  const mobilePart = `
    import { createMobileClient, ExpiredError, type ScannedLogin } from 'qrlogin/mobile';
    export async function phone(text: string): Promise<string> {
      const client = createMobileClient({ baseUrl: 'https://x', token: () => 'jwt' });
      try { const scanned: ScannedLogin = await client.scan(text); return (await client.confirm(scanned)).state; }
      catch (err) { if (err instanceof ExpiredError) return err.code; throw err; }
    }
  `;
  const browserPart = `
    import { createQrLogin as createBrowserLogin, renderQr, type LoginSnapshot } from 'qrlogin/browser';
    export function page(box: HTMLElement) {
      return createBrowserLogin({ baseUrl: 'https://x', onQr: (qr) => renderQr(box, qr), onState: (s: LoginSnapshot) => s.version,
        onSuccess: ({ token }) => token.length });
    }
  `;
  const typecheck = (options: string[], files: string[]) =>
    run(process.execPath, [TSC, '--noEmit', '--strict', '--target', 'es2022', '--lib', 'es2022,dom', ...options, ...files], { cwd: app });

  test("a strict TypeScript app type-checks against the declarations (node16: ESM and CommonJS; bundler), with qrlogin's dependencies only", async () => {
    writeFileSync(join(app, 'esm.mts'), serverPart + mobilePart + browserPart);
    writeFileSync(join(app, 'cjs.cts'), serverPart + mobilePart);
    writeFileSync(join(app, 'bundled.ts'), serverPart + mobilePart + browserPart);
    // No skipLibCheck: qrlogin's declarations, and the types they pull in, are checked too.
    const [node16, bundler] = await Promise.all([
      typecheck(['--module', 'node16', '--moduleResolution', 'node16'], ['esm.mts', 'cjs.cts']),
      typecheck(['--module', 'esnext', '--moduleResolution', 'bundler'], ['bundled.ts']),
    ]);
    expect(show(node16)).toBe('exit 0\n\n');
    expect(show(bundler)).toBe('exit 0\n\n');
  }, 480_000);

  test('one full login through library mode, with the installed package only', async () => {
    writeFileSync(join(app, 'login.mjs'), `
      import { createServer } from 'node:http';
      import { createQrLogin } from 'qrlogin';
      import { createMobileClient } from 'qrlogin/mobile';
      import { readFileSync } from 'node:fs';

      const server = createServer();
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = 'http://127.0.0.1:' + server.address().port;
      const qrlogin = await createQrLogin({
        publicUrl: url, logLevel: 'silent', webJwt: { secret: 'consumer-web-secret-0123456789abcdef' },
        verifyAppToken: async (token) => ({ sub: token, exp: Math.floor(Date.now() / 1000) + 60, name: 'Ana' }),
      });
      const events = [];
      for (const name of ['scanned', 'confirmed', 'redeemed']) qrlogin.on(name, (e) => events.push(e.type));
      server.on('request', qrlogin.handle);
      await qrlogin.attach(server);

      const created = await (await fetch(url + '/api/login-sessions', { method: 'POST' })).json();
      const phone = createMobileClient({ baseUrl: url, token: () => 'user-ana' });
      const scanned = await phone.scan(created.qr.content);
      const confirmed = await phone.confirm(scanned);
      const redeem = await fetch(url + '/api/login-sessions/' + created.id + '/redeem', { method: 'POST', headers: { 'x-login-secret': created.secret } });
      const redeemed = await redeem.json();
      const me = await (await fetch(url + '/api/me', { headers: { authorization: 'Bearer ' + redeemed.token } })).json();
      const served = await (await fetch(url + '/assets/qrlogin-browser.js')).text();
      const bundle = readFileSync(new URL(import.meta.resolve('qrlogin/browser')), 'utf8');
      const code = (js) => js.replace(/\\n\\/\\/# sourceMappingURL=.*\\n?$/, '');
      console.log(JSON.stringify({
        scanned: scanned.request.browser !== undefined, confirmed: confirmed.state,
        redeem: redeem.status, user: redeemed.user, me: me.user, events,
        servedIsTheBrowserExport: served.length > 1000 && code(served) === code(bundle),
      }));
      await qrlogin.close();
      server.close();
    `);
    const result = await node(['login.mjs']);
    expect(show(result)).toMatch(/^exit 0/);
    expect(JSON.parse(result.stdout)).toEqual({
      scanned: true, confirmed: 'confirmed', redeem: 200,
      user: { id: 'user-ana', displayName: 'Ana' }, me: { id: 'user-ana', displayName: 'Ana' }, events: ['scanned', 'confirmed', 'redeemed'],
      servedIsTheBrowserExport: true,
    });
  }, 60_000);
});
