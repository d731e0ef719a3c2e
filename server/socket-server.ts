import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { Server as SocketServer } from 'socket.io';
import type { Config } from './config';
import type { VerifyWebToken } from './devices/token-check';
import { MAX_BODY_BYTES } from './http/body';
import type { RateLimits } from './limits/rate-limits';
import type { Metrics } from './metrics';
import { createConnectionGuard } from './realtime/connection-guard';
import type { Fanout } from './realtime/fanout';
import { attachLoginNamespace, type QrLoginServer } from './realtime/login-namespace';
import { attachSessionNamespace } from './realtime/session-namespace';
import type { SignOutHub } from './realtime/sign-outs';
import type { RedisClient } from './redis/connect';
import { createSocketAdapter } from './redis/socket-adapter';
import type { LoginService } from './session/service';

export interface SocketServerDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  limits: RateLimits;
  /** Set when sessions live in Redis: Socket.IO then gets its Redis adapter. */
  redis?: RedisClient;
  service: LoginService;
  fanout: Fanout;
  checkWebToken: VerifyWebToken;
  signOuts: SignOutHub;
  now?: () => number;
}

/**
 * `QrLogin.attach()`: a Socket.IO server on a site's HTTP server with the
 * `/login` and `/session` namespaces, the per-IP connection guard and, with
 * Redis, the adapter. Its own file, apart from app.ts and from realtime/,
 * because it joins realtime/ with the Redis adapter. The caller closes what
 * it returns (`closeAdapter` only with Redis) in its shutdown order.
 */
export function openSocketServer(
  server: HttpServer,
  { config, logger, metrics, limits, redis, service, fanout, checkWebToken, signOuts, now }: SocketServerDeps,
): { io: QrLoginServer; closeAdapter?: () => Promise<void> } {
  const trustedHops = config.TRUST_PROXY ? config.TRUST_PROXY_HOPS : 0;
  const guard = createConnectionGuard({
    limits,
    maxPerIp: config.RATE_LIMITS ? config.RATE_LIMIT_OPEN_SOCKETS_PER_IP : 0,
    trustedHops,
    onCapped: () => metrics.rateLimited.inc({ limit: 'openSockets' }),
  });
  const io: QrLoginServer = new SocketServer(server, {
    path: `${config.BASE_PATH}/socket.io`,
    serveClient: false,
    allowRequest: guard.allowRequest,
    // A connection that joins no namespace is closed after this (Socket.IO's default: 45 s).
    connectTimeout: 10_000,
    perMessageDeflate: false,
    // Browsers send only `auth` and `redeem`: a message as large as an HTTP body is plenty.
    maxHttpBufferSize: MAX_BODY_BYTES,
    ...(config.CORS_ORIGINS.length ? { cors: { origin: config.CORS_ORIGINS, methods: ['GET', 'POST'] } } : {}),
  });
  // qrlogin's own pushes reach another node's sockets through the session's (or
  // sid's) channel; the adapter is there for a site's broadcasts and costs nothing per login.
  let closeAdapter: (() => Promise<void>) | undefined;
  if (redis) {
    const socketAdapter = createSocketAdapter(redis, config.REDIS_KEY_PREFIX, (err) => {
      metrics.redisErrors.inc();
      logger.warn({ err: err.message }, 'redis socket.io adapter connection error');
    });
    io.adapter(socketAdapter.adapter);
    closeAdapter = socketAdapter.close;
  }
  guard.attach(io);
  attachLoginNamespace(io, { service, fanout, logger, metrics, limits, trustedHops, redeliveryMs: config.REDEEM_REDELIVERY_SECONDS * 1000 });
  attachSessionNamespace(io, { checkWebToken, signOuts, limits, logger, trustedHops, now });
  return { io, closeAdapter };
}
