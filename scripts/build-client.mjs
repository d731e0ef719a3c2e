// Bundles the browser code (SDK and demo pages) with esbuild into dist/public.
import { build } from 'esbuild';
import { cpSync, mkdirSync, existsSync } from 'node:fs';

const out = 'dist/public';
mkdirSync(`${out}/assets`, { recursive: true });
const entries = ['client/demo/login-page.ts', 'client/demo/phone-page.ts'].filter(existsSync);
if (entries.length) {
  await build({
    entryPoints: entries,
    bundle: true,
    format: 'esm',
    target: ['es2020'],
    outdir: `${out}/assets`,
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  });
}
for (const page of ['index.html', 'phone.html']) {
  if (existsSync(`client/demo/${page}`)) cpSync(`client/demo/${page}`, `${out}/${page}`);
}
