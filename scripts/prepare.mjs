// `prepare`: builds once on install (npm ci / npm install in a clone), so `npm start` has dist/ to run.
// npm also runs `prepare` on `npm pack` and `npm publish`, right after `prepack`, which has just made
// a clean build: building again there would only double the time.
import { execSync } from 'node:child_process';

if (process.env.npm_command === 'pack' || process.env.npm_command === 'publish') process.exit(0);
execSync('npm run build', { stdio: 'inherit' });
