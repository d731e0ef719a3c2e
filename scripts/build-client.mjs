// Bundles the browser code with esbuild: the demo pages into dist/public (served by the
// server), and the SDKs as standalone ES modules — the browser SDK also at /assets/qrlogin-browser.js.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';

const pub = 'dist/public';
const sdk = 'dist/sdk';
mkdirSync(`${pub}/assets`, { recursive: true });
mkdirSync(sdk, { recursive: true });

const common = { bundle: true, format: 'esm', minify: true, sourcemap: 'external', logLevel: 'warning' };
await Promise.all([
  build({ ...common, entryPoints: ['client/demo/login-page.ts', 'client/demo/phone-page.ts'], target: ['es2020'], outdir: `${pub}/assets` }),
  build({ ...common, entryPoints: ['client/browser/index.ts'], target: ['es2020'], outfile: `${pub}/assets/qrlogin-browser.js` }),
  build({ ...common, entryPoints: ['client/browser/index.ts'], target: ['es2020'], outfile: `${sdk}/browser.mjs` }),
  // React Native and Node: no DOM, fetch only.
  build({ ...common, entryPoints: ['client/mobile/index.ts'], target: ['es2020'], platform: 'neutral', outfile: `${sdk}/mobile.mjs` }),
]);
// Types for the bundles: tsc already emitted the declarations under dist/client.
writeFileSync(`${sdk}/browser.d.mts`, "export * from '../client/browser/index.js';\n");
writeFileSync(`${sdk}/mobile.d.mts`, "export * from '../client/mobile/index.js';\n");

for (const page of ['index.html', 'phone.html', 'favicon.ico']) cpSync(`client/demo/${page}`, `${pub}/${page}`);
cpSync('client/demo/demo.css', `${pub}/assets/demo.css`);
cpSync('client/app-page/app-page.css', `${pub}/assets/app-page.css`);
for (const avatar of readdirSync('client/demo/avatars')) cpSync(`client/demo/avatars/${avatar}`, `${pub}/assets/${avatar}`);
