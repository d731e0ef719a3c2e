import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDockerfile, replayStage, type BuiltStage, type Stage } from './support/dockerfile';
import { ROOT } from './support/node-process';
import { copyFiles, dockerContextFiles, npmCache, resolveLockfile, run } from './support/package-copy';
import { freePort } from './support/ports';
import { waitFor } from './support/wait';

/**
 * No container engine runs here, so the Dockerfile is replayed: its build
 * context (the repository minus .dockerignore) is copied, each stage's COPY and
 * RUN steps run in a directory standing for the stage's filesystem, npm
 * installing offline from npm's cache. Then the runtime stage's CMD starts and
 * its HEALTHCHECK must pass. A context that does not build fails here.
 */
let work: string;
let stages: Stage[];
const built = new Map<string, BuiltStage>();

const failed = (stage: BuiltStage) => stage.runs.find((r) => r.result.code !== 0);
const describeRuns = (stage: BuiltStage) =>
  stage.runs.map((r) => `RUN ${r.command} -> exit ${r.result.code}\n${r.result.stdout.slice(-2000)}${r.result.stderr.slice(-4000)}`).join('\n');

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'qrlogin-container-'));
  const context = join(work, 'context');
  copyFiles(dockerContextFiles(), context);
  resolveLockfile(context);
  stages = parseDockerfile(readFileSync(join(context, 'Dockerfile'), 'utf8'));
  for (const [index, stage] of stages.entries()) {
    const result = await replayStage(stage, { context, root: join(work, `stage-${index}`), built, npmCache: await npmCache(), extraEnv: { npm_config_offline: 'true' } });
    built.set(stage.name ?? String(index), result);
    if (failed(result)) break;
  }
}, 900_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const runtime = () => built.get(String(stages.length - 1)) as BuiltStage;

describe('Dockerfile replayed on the build context', () => {
  test('the context leaves out tests, dependencies and build output', () => {
    const files = dockerContextFiles();
    expect(files).toEqual(expect.arrayContaining(['Dockerfile', 'package.json', 'package-lock.json', 'server/main.ts', 'tsconfig.build.json']));
    expect(files.filter((f) => /^(test|node_modules|dist|\.git)\//.test(f))).toEqual([]);
  });

  test('both stages use the active Node LTS, pinned to a release', () => {
    expect(stages).toHaveLength(2);
    for (const stage of stages) {
      const [, major] = /^node:(\d+)\.\d+\.\d+-(?:trixie|bookworm)-slim$/.exec(stage.image) ?? [];
      expect(Number(major)).toBeGreaterThanOrEqual(24);
      expect(Number(major) % 2).toBe(0); // even majors become LTS
    }
  });

  test('the build stage builds', () => {
    const build = built.get('build') as BuiltStage;
    expect(describeRuns(build)).not.toMatch(/-> exit [1-9]/);
    expect(build.runs.map((r) => r.command)).toEqual(expect.arrayContaining([expect.stringMatching(/npm run build/)]));
    expect(existsSync(join(build.workdir, 'dist', 'server', 'main.js'))).toBe(true);
    expect(existsSync(join(build.workdir, 'dist', 'public', 'assets', 'qrlogin-browser.js'))).toBe(true);
  });

  test('the runtime stage has production dependencies only and runs as a non-root user', () => {
    const stage = runtime();
    expect(describeRuns(stage)).not.toMatch(/-> exit [1-9]/);
    expect(stage.runs.map((r) => r.command)).toEqual([expect.stringMatching(/^npm ci --omit=dev --ignore-scripts\b/)]);
    const modules = join(stage.workdir, 'node_modules');
    expect(existsSync(join(modules, 'koa'))).toBe(true);
    for (const dev of ['typescript', 'jest', 'esbuild', 'socket.io-client']) expect(existsSync(join(modules, dev))).toBe(false);
    expect(existsSync(join(stage.workdir, 'dist', 'bench'))).toBe(false);
    expect(existsSync(join(stage.workdir, 'dist', 'test'))).toBe(false);
    expect(stage.user).toBeDefined();
    expect(['root', '0']).not.toContain(stage.user);
  });

  test('the runtime stage starts with its CMD and passes its HEALTHCHECK', async () => {
    const stage = runtime();
    const port = await freePort();
    // HOST as in the image, but on loopback: tests never listen on every interface.
    const env = { PATH: process.env.PATH, ...stage.env, HOST: '127.0.0.1', PORT: String(port) };
    const [command = '', ...args] = stage.cmd ?? [];
    expect(command).toBe('node');
    const child = spawn(process.execPath, args, { cwd: stage.workdir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    try {
      await waitFor(() => output.includes('qrlogin listening') || child.exitCode !== null, 60_000);
      expect(child.exitCode).toBeNull();
      const [check = '', ...checkArgs] = stage.healthcheck ?? [];
      expect(check).toBe('node');
      const health = await run(process.execPath, checkArgs, { cwd: stage.workdir, env });
      expect(health.code).toBe(0);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    }
  }, 90_000);
});
