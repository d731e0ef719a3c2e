import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server as SocketServer } from 'socket.io';
import { createQrLogin, type QrLogin, type QrLoginHooks } from '../../server/app';
import { loadConfig } from '../../server/config';
import type { Logger } from 'pino';
import { createLogger } from '../../server/log';

export const TEST_APP_SECRET = 'test-mobile-app-secret-0123456789abcdef';
export const TEST_WEB_SECRET = 'test-web-token-secret-0123456789abcdef';
/** Test nodes serve /metrics on their app port with this Bearer token (METRICS_TOKEN). */
export const TEST_METRICS_TOKEN = 'test-metrics-token-0123456789abcdef';

export type StoreKind = 'memory' | 'redis';

export interface TestServer {
  url: string;
  qrlogin: QrLogin;
  http: Server;
  io: SocketServer;
  close(): Promise<void>;
}

/**
 * A qrlogin node in this process on a free loopback port, against the run's
 * real Redis (own key prefix) or the memory store.
 */
export async function startTestServer(
  options: { store?: StoreKind; env?: Record<string, string>; publicHost?: string; hooks?: QrLoginHooks; now?: () => number; logger?: Logger; publicDir?: string } = {},
): Promise<TestServer> {
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const redisUrl = options.store === 'memory' ? undefined : process.env.TEST_REDIS_URL;
  const config = loadConfig({
    // The QR's origin: this server, named `publicHost` (e.g. localhost) when the test opens it by another name.
    PUBLIC_URL: options.publicHost ? url.replace('127.0.0.1', options.publicHost) : url,
    MOBILE_JWT_SECRET: TEST_APP_SECRET,
    WEB_JWT_SECRET: TEST_WEB_SECRET,
    METRICS_TOKEN: TEST_METRICS_TOKEN,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}:`,
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const qrlogin = await createQrLogin({
    config,
    logger: options.logger ?? createLogger(config.LOG_LEVEL),
    now: options.now,
    publicDir: options.publicDir,
    ...options.hooks,
  });
  http.on('request', qrlogin.app.callback());
  const io = await qrlogin.attach(http);
  let closing: Promise<void> | undefined;
  return {
    url,
    qrlogin,
    http,
    io,
    /** Idempotent, so a test may close early and still close in its `finally`. */
    close() {
      closing ??= (async () => {
        await qrlogin.close();
        http.closeAllConnections();
        await new Promise<void>((resolve) => http.close(() => resolve()));
      })();
      return closing;
    },
  };
}
