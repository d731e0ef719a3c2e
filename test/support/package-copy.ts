import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import dockerignore from '@balena/dockerignore';
import { ROOT } from './node-process';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (never throws): exit code and output. */
export function run(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs ?? 600_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) || 1 : 0, stdout, stderr }),
    );
  });
}

/** npm as this node runs it (npm's own CLI script next to the node binary). */
export function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  // A child npm must not inherit the settings of the npm that runs jest (npm_config_*), only ours.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')));
  return run('npm', args, { cwd, env: { ...clean, ...env } });
}

/** Where npm keeps its cache on this machine (filled by `npm ci`). */
export async function npmCache(): Promise<string> {
  const result = await npm(['config', 'get', 'cache'], ROOT);
  if (result.code !== 0) throw new Error(`npm config get cache failed: ${result.stderr}`);
  return result.stdout.trim();
}

/** The files a clean clone of this repository has: tracked ones plus new, not ignored ones (a work in progress). */
export async function cloneFiles(): Promise<string[]> {
  const listed = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT });
  if (listed.code !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  const deleted = await run('git', ['ls-files', '-z', '--deleted'], { cwd: ROOT });
  const gone = new Set(deleted.stdout.split('\0'));
  return listed.stdout.split('\0').filter((file) => file && !gone.has(file));
}

/** Every file of the repository directory that `docker build .` sends, i.e. minus what `.dockerignore` drops. */
export function dockerContextFiles(): string[] {
  const rules = dockerignore().add(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = relative(ROOT, join(dir, entry.name));
      if (rules.ignores(entry.isDirectory() ? `${path}/` : path)) continue;
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else files.push(path);
    }
  };
  walk(ROOT);
  return files;
}

/** Copies `files` (paths relative to the repository) into `dest`. */
export function copyFiles(files: string[], dest: string): void {
  for (const file of files) {
    mkdirSync(dirname(join(dest, file)), { recursive: true });
    cpSync(join(ROOT, file), join(dest, file));
  }
}

/** Lets a copy use this checkout's installed packages (the build tools) without installing them again. */
export function linkNodeModules(dest: string): void {
  symlinkSync(join(ROOT, 'node_modules'), join(dest, 'node_modules'), 'dir');
}

interface LockEntry {
  dev?: boolean;
  version?: string;
  resolved?: string;
  link?: boolean;
  [field: string]: unknown;
}

const REGISTRY = 'https://registry.npmjs.org/';

/**
 * This repository's lockfile leaves out registry URLs (npm's
 * omit-lockfile-registry-resolved), so npm would look each package up in the
 * registry first. Written back in, as npm writes them by default, each package
 * comes straight from npm's cache by its integrity, with no registry at hand.
 */
export function withRegistryUrls(packages: Record<string, LockEntry>): Record<string, LockEntry> {
  return Object.fromEntries(
    Object.entries(packages).map(([path, entry]) => {
      if (!path || entry.resolved || entry.link || !entry.version) return [path, entry];
      const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
      const file = name.slice(name.lastIndexOf('/') + 1);
      return [path, { ...entry, resolved: `${REGISTRY}${name}/-/${file}-${entry.version}.tgz` }];
    }),
  );
}

/** Rewrites a copy's package-lock.json with registry URLs (see withRegistryUrls). */
export function resolveLockfile(dir: string): void {
  const file = join(dir, 'package-lock.json');
  const lock = JSON.parse(readFileSync(file, 'utf8')) as { packages: Record<string, LockEntry> };
  writeFileSync(file, JSON.stringify({ ...lock, packages: withRegistryUrls(lock.packages) }, null, 2));
}

/**
 * A lockfile for an app whose only dependency is the qrlogin tarball: qrlogin's
 * own lockfile without its dev packages. `npm ci --offline` then installs the
 * app from the tarball and npm's cache alone (the cache `npm ci` filled), with
 * qrlogin's dependencies as its package.json declares them: a runtime
 * dependency missing there is missing here too.
 */
export function appLockfile(app: { name: string; tarball: string; integrity: string }): string {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const self = lock.packages[''] as LockEntry & { dependencies?: Record<string, string> };
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  const packages: Record<string, unknown> = {
    '': { name: app.name, dependencies: { qrlogin: `file:${app.tarball}` } },
    'node_modules/qrlogin': {
      version: manifest.version,
      resolved: `file:${app.tarball}`,
      integrity: app.integrity,
      license: manifest.license,
      dependencies: self.dependencies,
      bin: manifest.bin,
      engines: manifest.engines,
    },
  };
  for (const [path, entry] of Object.entries(withRegistryUrls(lock.packages))) {
    if (path && !entry.dev) packages[path] = entry;
  }
  return JSON.stringify({ name: app.name, lockfileVersion: 3, requires: true, packages }, null, 2);
}

/** Writes an app that depends on the qrlogin tarball only, with its lockfile. */
export function writeApp(dir: string, tarball: string, integrity: string): void {
  mkdirSync(dir, { recursive: true });
  const name = 'qrlogin-consumer';
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, dependencies: { qrlogin: `file:${tarball}` } }, null, 2));
  writeFileSync(join(dir, 'package-lock.json'), appLockfile({ name, tarball, integrity }));
}
