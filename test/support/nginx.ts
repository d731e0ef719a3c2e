import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';

export interface NginxProcess {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export const SHIPPED_CONF = join(__dirname, '..', '..', 'deploy', 'nginx.conf');

/**
 * The shipped deploy/nginx.conf with its upstream servers and listen address
 * replaced, so tests exercise the very file operators deploy.
 */
export function confFor(upstreams: string[], port: number): string {
  const shipped = readFileSync(SHIPPED_CONF, 'utf8');
  const servers = shipped.match(/^ *server \S+:\d+[^;]*;\n/gm);
  if (!servers?.length || !/listen 80;/.test(shipped)) throw new Error('deploy/nginx.conf no longer has the expected upstream/listen lines');
  const options = servers[0]?.replace(/^ *server \S+/, '').replace(/;\n$/, '') ?? '';
  const replaced = shipped
    .replace(servers.join(''), upstreams.map((u) => `    server ${u}${options};\n`).join(''))
    .replace('listen 80;', `listen 127.0.0.1:${port};`);
  if (upstreams.some((u) => !replaced.includes(`server ${u}`))) throw new Error('upstream servers of deploy/nginx.conf are not contiguous');
  return replaced;
}

/**
 * Debian's nginx in the foreground, as an unprivileged-safe instance: every
 * path (pid, logs, temp files) in a fresh temp dir, `daemon off` via -g.
 */
export async function startNginx(upstreams: string[], port?: number): Promise<NginxProcess> {
  const listen = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'qrlogin-nginx-'));
  writeFileSync(join(dir, 'qrlogin.conf'), confFor(upstreams, listen));
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `${kind}_temp_path ${join(dir, kind)};`);
  writeFileSync(
    join(dir, 'nginx.conf'),
    [
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${join(dir, 'error.log')} warn;`,
      'worker_processes 1;',
      'events { worker_connections 512; }',
      `http { access_log off; ${temp.join(' ')} include ${join(dir, 'qrlogin.conf')}; }`,
    ].join('\n'),
  );
  const child: ChildProcess = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${listen}`;
  const deadline = Date.now() + 10000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited:\n${output}${safeRead(join(dir, 'error.log'))}`);
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not answer:\n${output}${safeRead(join(dir, 'error.log'))}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port: listen,
    async stop() {
      // SIGQUIT would wait for open connections; SIGTERM is nginx's fast shutdown.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
