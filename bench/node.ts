/**
 * A qrlogin node for the benchmarks: the library exactly as `npm start` runs
 * it (createQrLogin + attach), plus what only a benchmark needs — a Koa
 * hello-world route in the same process (a throughput ceiling), the exchanges
 * of a push login with nothing in them (a latency floor), and an IPC
 * channel through which the runner asks for memory after a full GC and for
 * the event-loop delay histogram. Run with --expose-gc and an IPC channel.
 */
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Redis from 'ioredis';
import Koa from 'koa';
import type { Server as SocketServer } from 'socket.io';
import { createQrLogin } from '../server/app';
import { loadConfig } from '../server/config';
import { createLogger } from '../server/log';
import type { NodeReply, NodeRequest } from './lib/node-messages';

/**
 * The skeleton of confirm → token (bench/scenarios/latency.ts skeletonRun): a
 * POST whose handler makes two Redis round trips and pushes an event to a
 * socket room, then a socket message acknowledged after one more round trip.
 * Those are the exchanges and round trips qrlogin's path has, minus its work.
 */
const SKELETON_NAMESPACE = '/bench-skeleton';

async function main(): Promise<void> {
  const config = loadConfig();
  const qrlogin = await createQrLogin({ config, logger: createLogger(config.LOG_LEVEL) });
  const app = new Koa({ proxy: config.TRUST_PROXY });
  app.use(async (ctx, next) => {
    if (ctx.path !== '/bench/hello') return next();
    ctx.body = 'Hello World';
  });
  const redis = config.REDIS_URL ? new Redis(config.REDIS_URL) : undefined;
  let io: SocketServer | undefined;
  app.use(async (ctx, next) => {
    const room = /^\/bench\/skeleton\/(\w+)$/.exec(ctx.path)?.[1];
    if (!room || ctx.method !== 'POST' || !io || !redis) return next();
    await redis.ping();
    await redis.ping();
    io.of(SKELETON_NAMESPACE).to(room).emit('pushed');
    ctx.body = { ok: true };
  });
  app.use(qrlogin.middleware);
  const server = createServer(app.callback());
  io = await qrlogin.attach(server);
  io.of(SKELETON_NAMESPACE).on('connection', (socket) => {
    void socket.join(String(socket.handshake.auth.room));
    socket.on('echo', async (ack: (reply: string) => void) => {
      await redis?.ping();
      ack('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));

  const delay = monitorEventLoopDelay({ resolution: 1 });
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('message', (request: NodeRequest) => {
    const reply = (body: NodeReply) => process.send?.(body);
    if (request.type === 'memory') {
      // Twice: the first pass can leave weakly held and finalizable objects for the second.
      gc?.();
      gc?.();
      const { rss, heapUsed } = process.memoryUsage();
      reply({ type: 'memory', rss, heapUsed });
    } else if (request.type === 'delay-start') {
      delay.reset();
      delay.enable();
      reply({ type: 'delay-start' });
    } else if (request.type === 'delay-stop') {
      delay.disable();
      const ms = (ns: number) => ns / 1e6;
      reply({ type: 'delay', p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
  console.log(`qrlogin listening on http://${config.HOST}:${config.PORT} (bench node)`);
}

main().catch((err) => {
  process.stderr.write(`bench node failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
