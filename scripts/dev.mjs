// `npm run dev`: recompiles the server on every change (tsc --watch) and restarts it when its
// output changes (node --watch). The demo pages and SDK bundles are rebuilt by `npm run build`.
import { spawn } from 'node:child_process';

const children = [
  spawn(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--watch', '--preserveWatchOutput'], { stdio: 'inherit' }),
  spawn(process.execPath, ['--watch-path=dist/server', '--watch-path=dist/client', 'dist/server/main.js'], { stdio: 'inherit' }),
];
const stop = () => children.forEach((child) => child.kill('SIGTERM'));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const child of children) child.on('exit', stop);
