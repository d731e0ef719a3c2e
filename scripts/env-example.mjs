// Rewrites .env.example and the README configuration table from server/config.ts (run after `npm run build`).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { renderEnvExample, withConfigTable } = require('../dist/server/config-docs.js');
writeFileSync('.env.example', renderEnvExample());
writeFileSync('README.md', withConfigTable(readFileSync('README.md', 'utf8')));
console.log('wrote .env.example and the configuration table in README.md');
