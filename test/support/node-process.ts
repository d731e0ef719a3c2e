import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { freePort } from './ports';
import { TEST_APP_SECRET, TEST_METRICS_TOKEN, TEST_WEB_SECRET } from './server';

export interface NodeProcess {
  url: string;
  port: number;
  process: ChildProcess;
  /** Everything the node printed so far (stdout and stderr). */
  output(): string;
  /** Sends `signal` (default SIGTERM) and waits for the exit; resolves the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The package root, whether this file runs from test/support (jest) or dist/test/support (the bench). */
function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dir !== dirname(dir)) dir = dirname(dir);
  return dir;
}

export const ROOT = packageRoot();
const MAIN = join(ROOT, 'dist', 'server', 'main.js');

export interface NodeOptions {
  /** Script to run instead of dist/server/main.js (it must print "qrlogin listening" when up). */
  script?: string;
  /** Extra node flags, e.g. ['--expose-gc'] or ['--cpu-prof']. */
  execArgv?: string[];
  /** Open an IPC channel to the child (`process.send`). */
  ipc?: boolean;
  /** Listen on this port (a node restarted behind a load balancer comes back where it was); default: a free one. */
  port?: number;
}

/** Starts `node dist/server/main.js` (built by `npm test`'s pretest) on a free port and waits until it listens. */
export async function startNode(env: Record<string, string> = {}, options: NodeOptions = {}): Promise<NodeProcess> {
  const port = options.port ?? (await freePort());
  const child = spawnNode(port, env, options);
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    // A safety net, not a budget: a loaded machine may take many seconds to load the modules.
    const timer = setTimeout(() => reject(new Error(`node did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (output.includes('qrlogin listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    process: child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

function spawnNode(port: number, env: Record<string, string>, options: NodeOptions = {}): ChildProcess {
  return spawn(process.execPath, [...(options.execArgv ?? []), options.script ?? MAIN], {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      MOBILE_JWT_SECRET: TEST_APP_SECRET,
      WEB_JWT_SECRET: TEST_WEB_SECRET,
      METRICS_TOKEN: TEST_METRICS_TOKEN,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs `node dist/server/main.js` expecting it to stop by itself (e.g. on bad configuration). */
export async function runNodeToExit(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnNode(await freePort(), env);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Starts `count` nodes with the same environment (one shared Redis and key prefix make them one cluster of nodes). */
export function startNodes(count: number, env: Record<string, string> = {}): Promise<NodeProcess[]> {
  return Promise.all(Array.from({ length: count }, () => startNode(env)));
}

/** Stops every node that is still running (SIGKILL: tests that check shutdown do it themselves). */
export async function stopNodes(nodes: (NodeProcess | undefined)[]): Promise<void> {
  await Promise.all(nodes.map((node) => node?.stop('SIGKILL')));
}
