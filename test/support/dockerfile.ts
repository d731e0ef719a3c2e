import { cpSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { run, type RunResult } from './package-copy';

/** One instruction of a Dockerfile, continuation lines joined. */
export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  image: string;
  name?: string;
  instructions: Instruction[];
}

/** Stages of a Dockerfile, with `ARG` defaults declared before the first FROM substituted into FROM lines. */
export function parseDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const upper = keyword.toUpperCase();
    if (upper === 'ARG' && stages.length === 0) {
      const [name = '', value = ''] = rest.split('=');
      args.set(name, value);
    } else if (upper === 'FROM') {
      const [image = '', , name] = rest.replace(/\$\{(\w+)\}/g, (_, n: string) => args.get(n) ?? '').split(/\s+/);
      stages.push({ image, name, instructions: [] });
    } else {
      stages[stages.length - 1]?.instructions.push({ keyword: upper, args: rest.replace(/\s+/g, ' ') });
    }
  }
  return stages;
}

/** `K=V K2="V 2"` pairs of an ENV instruction. */
function parseEnv(args: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of args.matchAll(/(\w+)=("([^"]*)"|\S*)/g)) env[m[1] as string] = m[3] ?? (m[2] as string);
  return env;
}

export interface BuiltStage {
  /** The stage's filesystem root (a temp dir standing for `/`). */
  root: string;
  workdir: string;
  env: Record<string, string>;
  user?: string;
  cmd?: string[];
  healthcheck?: string[];
  /** Each RUN with its result, in order; the replay stops at the first that fails. */
  runs: { command: string; result: RunResult }[];
}

/**
 * Replays a stage as `docker build` would run it, without a container engine:
 * the stage's filesystem is a directory, COPY copies from the context (or an
 * earlier stage), RUN runs with `sh -c` in WORKDIR with the stage's ENV plus
 * `extraEnv`. The base image is this machine (its node and npm).
 */
export async function replayStage(
  stage: Stage,
  options: { context: string; root: string; built: Map<string, BuiltStage>; npmCache: string; extraEnv?: NodeJS.ProcessEnv },
): Promise<BuiltStage> {
  const out: BuiltStage = { root: options.root, workdir: options.root, env: {}, runs: [] };
  mkdirSync(options.root, { recursive: true });
  const inStage = (path: string) => (isAbsolute(path) ? join(options.root, path) : join(out.workdir, path));
  for (const { keyword, args } of stage.instructions) {
    if (keyword === 'WORKDIR') {
      out.workdir = inStage(args);
      mkdirSync(out.workdir, { recursive: true });
    } else if (keyword === 'ENV') {
      Object.assign(out.env, parseEnv(args));
    } else if (keyword === 'USER') {
      out.user = args;
    } else if (keyword === 'CMD') {
      out.cmd = JSON.parse(args) as string[];
    } else if (keyword === 'HEALTHCHECK') {
      out.healthcheck = JSON.parse(args.slice(args.indexOf('CMD ') + 4)) as string[];
    } else if (keyword === 'COPY') {
      const words = args.split(' ');
      const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
      const paths = words.filter((w) => !w.startsWith('--'));
      const dest = paths.pop() as string;
      const source = from ? (options.built.get(from)?.root ?? '') : options.context;
      for (const path of paths) {
        const src = from ? join(source, path) : join(source, path);
        const target = inStage(dest);
        if (!existsSync(src)) throw new Error(`COPY ${path}: not in the ${from ? `stage ${from}` : 'build context'}`);
        const intoDir = dest.endsWith('/') || dest === '.' || paths.length > 1;
        if (statSync(src).isDirectory()) cpSync(src, target, { recursive: true });
        else cpSync(src, intoDir ? join(target, basename(path)) : target);
      }
    } else if (keyword === 'RUN') {
      // The only mount understood is npm's cache (/root/.npm), which stands for this machine's npm cache.
      const mounts = [...args.matchAll(/--mount=(\S+)\s*/g)];
      const command = args.replace(/--mount=\S+\s*/g, '');
      const cacheMount = mounts.some((m) => m[1] === 'type=cache,target=/root/.npm');
      if (mounts.length > (cacheMount ? 1 : 0)) throw new Error(`RUN ${args}: only --mount=type=cache,target=/root/.npm is replayed`);
      const home = join(options.root, 'root');
      mkdirSync(home, { recursive: true });
      const result = await run('sh', ['-c', command], {
        cwd: out.workdir,
        // HOME inside the stage: nothing a step writes there lands in this machine's home.
        env: { PATH: process.env.PATH, HOME: home, npm_config_cache: cacheMount ? options.npmCache : join(home, '.npm'), ...out.env, ...options.extraEnv },
        timeoutMs: 600_000,
      });
      out.runs.push({ command, result });
      if (result.code !== 0) return out;
    }
  }
  return out;
}
