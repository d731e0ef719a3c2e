import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { scrapeMetrics } from './support/metrics';
import { ROOT, runNodeToExit, startNode, type NodeProcess } from './support/node-process';
import { freePort } from './support/ports';
import { waitFor } from './support/wait';

/** What a new user meets on `npm start`: no rebuild, the address to open, plain errors, readable logs. */
const MAIN = join(ROOT, 'dist', 'server', 'main.js');
const baseEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'info' };

/** Runs a command in its own process group until `done(output)` holds, then stops the whole group. */
async function runUntil(command: string, args: string[], env: Record<string, string>, done: (output: string) => boolean): Promise<string> {
  const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await waitFor(() => done(output) || child.exitCode !== null, 60_000);
  } finally {
    if (child.exitCode === null) process.kill(-(child.pid as number), 'SIGTERM');
    await exited;
  }
  return output;
}

describe('first run', () => {
  test('npm start runs the built server without building, and prints PUBLIC_URL as the address to open', async () => {
    const port = await freePort();
    const built = statSync(MAIN).mtimeMs;
    const env = { ...baseEnv, PORT: String(port), PUBLIC_URL: `http://localhost:${port}` };
    const output = await runUntil('npm', ['start'], env, (out) => out.includes('qrlogin listening'));
    const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
    expect(scripts.prestart).toBeUndefined();
    expect(output).toMatch(/^> node dist\/server\/main\.js$/m);
    expect(output).not.toMatch(/tsc|esbuild|build-client/);
    expect(statSync(MAIN).mtimeMs).toBe(built);
    const listening = output.split('\n').find((line) => line.includes('qrlogin listening')) as string;
    expect(JSON.parse(listening).msg).toBe(`qrlogin listening on http://localhost:${port}/`);
    expect(listening).not.toContain(`http://127.0.0.1:${port}`);
  }, 90_000);

  test('a port in use stops the start with one line naming it, and exit code 1', async () => {
    const taken: Server = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      const result = await runNodeToExit({ PORT: String(port) });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`qrlogin failed to start: HTTP port ${port} is already in use (127.0.0.1:${port}): stop what uses it, or set PORT to a free port\n`);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      taken.close();
    }
  });

  test('on a terminal the log is readable lines; through a pipe, JSON lines', async () => {
    const port = await freePort();
    const env = { ...baseEnv, PORT: String(port), PUBLIC_URL: `http://localhost:${port}` };
    // `script` gives the node a pseudo-terminal as stdout, as a shell would.
    const onTerminal = await runUntil('script', ['-qfec', `${JSON.stringify(process.execPath)} ${JSON.stringify(MAIN)}`, '/dev/null'], env, (out) =>
      out.includes('qrlogin listening'));
    const line = onTerminal.split('\n').find((l) => l.includes('qrlogin listening')) as string;
    expect(line).toMatch(/INFO/);
    expect(line).toContain(`qrlogin listening on http://localhost:${port}/`);
    expect(onTerminal).not.toMatch(/^\{"level"/m);

    const piped = await runUntil(process.execPath, [MAIN], { ...env, PORT: String(await freePort()) }, (out) => out.includes('qrlogin listening'));
    const lines = piped.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(JSON.parse(l)).toMatchObject({ level: expect.any(Number), msg: expect.any(String) });
  }, 90_000);

  describe('request log', () => {
    let node: NodeProcess;
    beforeAll(async () => {
      node = await startNode({ DEMO: '1', DEMO_FORCE: '1' });
    });
    afterAll(() => node?.stop('SIGKILL'));

    test('health checks, scrapes and static files are not logged at info; API calls are', async () => {
      const routine = ['/healthz', '/readyz', '/assets/demo.css', '/assets/qrlogin-browser.js', '/favicon.ico'];
      for (const path of routine) await (await fetch(`${node.url}${path}`)).arrayBuffer();
      expect((await scrapeMetrics(node.url)).status).toBe(200);
      const created = await fetch(`${node.url}/api/login-sessions`, { method: 'POST' });
      expect(created.status).toBe(201);
      // The routine requests were answered (and so logged, or not) before this one was made.
      const requests = () => node.output().split('\n').filter((l) => l.includes('"msg":"request"')).map((l) => JSON.parse(l) as { url: string });
      await waitFor(() => requests().some((r) => r.url === '/api/login-sessions'));
      expect(requests().map((r) => r.url)).toEqual(['/api/login-sessions']);
    });
  });
});
