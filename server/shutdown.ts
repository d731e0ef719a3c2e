import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { QrLogin } from './app';

/**
 * SIGTERM handling of `npm start`: stop accepting connections, answer held
 * long polls and let requests in flight finish, close the sockets (their
 * clients reconnect, through the load balancer, to another node), then close
 * Redis and exit 0. `timeoutMs` bounds the whole thing: requests still running
 * at 80% of it are cut so that Redis can still be closed cleanly.
 */
export function gracefulShutdown(options: {
  server: Server;
  qrlogin: QrLogin;
  logger: Logger;
  timeoutMs: number;
  exit?: (code: number) => void;
}): (signal: string) => Promise<void> {
  const { server, qrlogin, logger, timeoutMs } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  return async (signal) => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    logger.info({ signal }, 'shutting down: refusing new connections, finishing requests in flight');
    const deadline = setTimeout(() => {
      logger.warn('shutdown took too long; exiting');
      exit(1);
    }, timeoutMs);
    deadline.unref();

    const httpDone = new Promise<void>((resolve) => server.close(() => resolve()));
    // Keep-alive connections become idle after their last response; close them as they do.
    const idleSweep = setInterval(() => server.closeIdleConnections(), 50);
    server.closeIdleConnections();
    try {
      await qrlogin.drain();
      let cut: NodeJS.Timeout | undefined;
      await Promise.race([httpDone, new Promise((resolve) => (cut = setTimeout(resolve, timeoutMs * 0.8 - (Date.now() - started))))]);
      clearTimeout(cut);
    } finally {
      clearInterval(idleSweep);
    }
    server.closeAllConnections();
    await qrlogin.close();
    logger.info({ ms: Date.now() - started }, 'shut down');
    clearTimeout(deadline);
    exit(0);
  };
}
