import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { freePort } from './ports';

export interface RedisProcess {
  port: number;
  url: string;
  /** Its working directory (AOF files, when the extra arguments turn AOF on). */
  dir: string;
  process: ChildProcess;
  /** Stops the server (SIGKILL with `hard`), waiting for it to exit. */
  stop(hard?: boolean): Promise<void>;
}

/**
 * Starts a real redis-server on a free loopback port, in memory only. Extra
 * arguments are passed through (e.g. ['--cluster-enabled', 'yes'], or
 * ['--appendonly', 'yes'] for AOF). A restart after a crash passes the same
 * `port` and `dir`, so that it loads what the first one wrote.
 */
export async function startRedis(extraArgs: string[] = [], port?: number, options: { dir?: string } = {}): Promise<RedisProcess> {
  for (let attempt = 0; ; attempt++) {
    const p = port ?? (await freePort());
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'qrlogin-redis-'));
    const child = spawn(
      'redis-server',
      ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extraArgs],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    const up = await waitForPing(p, child);
    if (up) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      return {
        port: p,
        url: `redis://127.0.0.1:${p}`,
        dir,
        process: child,
        async stop(hard = false) {
          if (child.exitCode === null && child.signalCode === null) child.kill(hard ? 'SIGKILL' : 'SIGTERM');
          await exited;
        },
      };
    }
    child.kill('SIGKILL');
    if (port !== undefined || attempt >= 3) throw new Error(`redis-server did not start on ${p}:\n${output}`);
  }
}

async function waitForPing(port: number, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && child.exitCode === null) {
    if (await pingOnce(port)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** One raw RESP PING (no client library, so nothing lingers after the check). */
function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    // A server with a password answers NOAUTH: it is up all the same.
    socket.on('data', (data) => done(/^(\+PONG|-NOAUTH)/.test(data.toString())));
  });
}
