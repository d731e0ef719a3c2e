import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import Koa from 'koa';
import type { Logger } from 'pino';
import { Gauge } from 'prom-client';
import { describeUserFromClaims, type AppClaims, type VerifyAppToken } from './auth/app-token';
import { appTokensFromConfig, webTokensFromConfig } from './tokens-from-config';
import type { IssuedToken, VerifiedWebToken } from './auth/web-token';
import type { Config } from './config';
import { createLoginEvents, type QrLoginEventListener, type QrLoginEventName } from './events';
import { configFromOptions, type QrLoginSettings } from './options';
import { isUnderBasePath } from './http/base-path';
import { httpStack } from './http/stack';
import { MemoryDeviceStore } from './devices/memory-device-store';
import { DeviceService } from './devices/service';
import { honouringSignOuts } from './devices/token-check';
import type { SignOut } from './devices/types';
import { LoginError } from './errors';
import { describeBrowser } from './http/request-info';
import { rateLimitsFromConfig } from './limits/from-config';
import { createLogger } from './log';
import { createMetrics, createPushTimer, epochNow, type Metrics } from './metrics';
import { LocalChannels } from './realtime/channels';
import { keyedChannel } from './realtime/keyed-channel';
import { Fanout } from './realtime/fanout';
import type { QrLoginServer } from './realtime/login-namespace';
import { SignOutHub } from './realtime/sign-outs';
import { RedisDeviceStore } from './redis/device-store';
import { openPubSub } from './redis/pubsub';
import { changesChannel, signOutChannel } from './redis/keys';
import { LoginService } from './session/service';
import type { SessionUser, Snapshot } from './session/types';
import { openSocketServer } from './socket-server';
import { connectStore } from './store-connection';
import { countingStoreErrors } from './session/counting-store';
import type { Store } from './session/store';

/** What a site can customise when it embeds qrlogin (library mode). */
export interface QrLoginHooks {
  /** Checks the mobile app's token; throw LoginError('invalid_token') to refuse. Default: JWT per config. */
  verifyAppToken?: VerifyAppToken;
  /**
   * Mints the web token of a confirmed login. Default: JWT per config. It runs
   * just before the redeem's compare-and-set (the token is stored sealed with
   * it): when redeems race, a loser's token is thrown away unseen, so keep it
   * free of side effects that assume the login is redeemed.
   */
  issueWebToken?: (user: SessionUser, session: Snapshot) => Promise<IssuedToken>;
  /** What the browser is shown of the user (may look it up: async is fine). Default: the token's `name` and `picture`. */
  describeUser?: (claims: AppClaims) => SessionUser | Promise<SessionUser>;
}

/**
 * Library mode: camelCase settings (QrLoginSettings), or `config` as loadConfig()
 * reads it from the environment (then the settings are ignored), plus hooks.
 */
export interface QrLoginOptions extends QrLoginHooks, QrLoginSettings {
  /** Settings from the environment (loadConfig()); when given, the camelCase settings are not used. */
  config?: Config;
  /**
   * Where sessions live, instead of Redis or the in-memory store: any Store
   * (e.g. over your own database). It must be shared by all nodes and do the
   * compare-and-set of Store.update atomically. Changes reach browsers on other
   * nodes only through Redis: with a custom store, run one node, or set `redis`
   * too (its pub/sub then carries the pushes). You close it (close() does not).
   */
  store?: Store;
  logger?: Logger;
  /** Folder of the built demo pages; default: dist/public of this package. */
  publicDir?: string;
  now?: () => number;
}

export interface QrLogin {
  /** Every HTTP route, with qrlogin's error handling, to mount in a Koa app. */
  middleware: Koa.Middleware;
  /**
   * A node-style handler for Express, Fastify (@fastify/middie), Connect or
   * node:http: answers requests under the base path; any other request goes
   * to `next` (or, without `next`, qrlogin answers it: 404 JSON).
   */
  handle(req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): void;
  /** Follows logins: each change is emitted once in the whole cluster, on the node that made it. */
  on(event: QrLoginEventName, listener: QrLoginEventListener): QrLogin;
  off(event: QrLoginEventName, listener: QrLoginEventListener): QrLogin;
  /** A Koa app with just qrlogin, as `npm start` runs it. */
  app: Koa;
  /** Adds the Socket.IO `/login` and `/session` namespaces to an HTTP server. */
  attach(server: HttpServer): Promise<QrLoginServer>;
  /**
   * The check a site makes of a web token it was handed, honouring sign-outs
   * (as `GET /api/me`): whose it is and which device, or null when it is
   * invalid, expired or signed out. Throws only when the store cannot be reached.
   */
  checkWebToken(token: string): Promise<VerifiedWebToken | null>;
  /** `signed_out`: a browser was signed out by its user's phone or its own logout, on this node (v1.1). */
  on(event: 'signed_out', listener: (signOut: SignOut) => void): QrLogin;
  off(event: 'signed_out', listener: (signOut: SignOut) => void): QrLogin;
  /** @internal The session store, for qrlogin's own tests; not part of the public API (left out of the published types). */
  store: Store;
  metrics: Metrics;
  logger: Logger;
  /** First step of a graceful shutdown: answers held long polls, closes sockets (clients reconnect elsewhere); the store stays up. */
  drain(): Promise<void>;
  /** drain(), then closes the store's connections. */
  close(): Promise<void>;
}

export async function createQrLogin(options: QrLoginOptions): Promise<QrLogin> {
  const config = options.config ?? configFromOptions(options);
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const metrics = createMetrics();
  const loginEvents = createLoginEvents(logger);
  const connection = await connectStore(config, logger, options.store);
  connection.redis?.on('error', () => metrics.redisErrors.inc());
  const store = countingStoreErrors(connection.store, () => metrics.redisErrors.inc());
  const pushTimer = createPushTimer(metrics.pushLatency);
  // The QR URL and every path follow BASE_PATH (library mode under a prefix).
  const loginUrlBase = config.publicUrl + config.BASE_PATH;
  const limits = rateLimitsFromConfig(config, connection.redis, (limit) => metrics.rateLimited.inc({ limit }));

  const { verifyAppToken, demoAppSecret } = appTokensFromConfig(config, logger, options.verifyAppToken);
  const webTokens = webTokensFromConfig(config, logger, Boolean(options.issueWebToken));

  const events = new EventEmitter();
  const closers: (() => Promise<unknown>)[] = [];
  const pubsub = connection.redis
    ? await openPubSub({
        client: connection.redis,
        keyPrefix: config.REDIS_KEY_PREFIX,
        logger,
        onError: (err) => {
          metrics.redisErrors.inc();
          logger.warn({ err: err.message }, 'redis subscriber connection error');
        },
        onMessage: (kind) => metrics.pubsubMessages.inc({ kind }),
      })
    : undefined;
  if (pubsub) closers.push(pubsub.close);
  // Every push to "whichever node holds the browser" goes over this bus: a node
  // subscribes to a channel only while one of its listeners waits on it (realtime/channels.ts).
  const channels = pubsub?.channels ?? new LocalChannels();
  const devices = new DeviceService({
    store: connection.redis ? new RedisDeviceStore(connection.redis, config.REDIS_KEY_PREFIX) : new MemoryDeviceStore(),
    maxPerUser: config.MAX_DEVICES_PER_USER,
    now: options.now,
    onSignOut: (signOut) => {
      logger.info({ sid: signOut.sid, reason: signOut.reason }, 'signed out');
      signOuts.announce(signOut);
      events.emit('signed_out', signOut);
    },
  });
  // Sign-outs reach the node holding the browser's /session socket on the sid's own channel.
  const signOuts = new SignOutHub({
    channel: keyedChannel(channels, (sid) => signOutChannel(config.REDIS_KEY_PREFIX, sid)),
    read: (userId, sid) => devices.signedOut(userId, sid),
    onError: (err, sid) => logger.warn({ err, sid }, 'could not re-read a sign-out after a hint'),
  });
  const checkWebToken = honouringSignOuts((token) => webTokens.verify(token), devices);
  const now = options.now ?? Date.now;
  channels.onResubscribed(() => signOuts.resync());
  const service = new LoginService({
    store,
    publicUrl: loginUrlBase,
    ttlMs: config.QR_TTL_SECONDS * 1000,
    confirmWindowMs: config.CONFIRM_WINDOW_SECONDS * 1000,
    issueWebToken: options.issueWebToken ?? ((user, session) => webTokens.issue(user, session.id)),
    redeliveryMs: config.REDEEM_REDELIVERY_SECONDS * 1000,
    now: options.now,
    onRedelivered: (id) => {
      metrics.redeliveries.inc();
      logger.info({ sessionId: id }, 'redeem answered again with the same token (the first answer may have been lost)');
    },
    onRedeem: ({ sid, user, expiresIn }, browser) =>
      devices.record({ sid, userId: user.id, ...describeBrowser(browser.userAgent), ip: browser.ip, expiresAt: now() + expiresIn * 1000 }),
    onChange: (snapshot, by) => {
      const writtenAt = epochNow();
      metrics.transitions.inc({ state: snapshot.state });
      if (snapshot.state === 'redeemed') {
        metrics.redeems.inc();
        // Sessions live QR_TTL_SECONDS from their creation, and expiresAt never moves.
        metrics.loginDuration.observe(Math.max(0, now() - (Date.parse(snapshot.expiresAt) - config.QR_TTL_SECONDS * 1000)) / 1000);
      }
      loginEvents.changed(snapshot, by);
      logger.debug({ sessionId: snapshot.id, state: snapshot.state, version: snapshot.version }, 'transition');
      fanout.announce(snapshot, writtenAt);
    },
  });

  const fanout = new Fanout({
    read: (id) => service.snapshot(id),
    channels,
    channelOf: (id) => changesChannel(config.REDIS_KEY_PREFIX, id),
    keys: pubsub?.keyspace,
    nodeId: randomUUID(),
    pushTimer,
    now: options.now,
    onDeliver: (snapshot) => {
      if (snapshot.state === 'expired') metrics.expired.inc();
    },
    onError: (err, id) => logger.warn({ err, sessionId: id }, 'could not re-read a session after a change hint'),
  });
  const hub = fanout.hub;
  new Gauge({
    name: 'qrlogin_watched_sessions',
    help: 'Sessions a socket or long poll of this node waits on',
    registers: [metrics.registry],
    collect() {
      this.set(hub.size);
    },
  });
  const middleware = httpStack({
    config, logger, metrics, store, service, loginUrlBase, limits, devices, webTokens, checkWebToken, verifyAppToken, demoAppSecret,
    waitForChange: (...args) => hub.waitForChange(...args),
    describeUser: options.describeUser ?? describeUserFromClaims,
    publicDir: options.publicDir,
  });

  // With TRUST_PROXY only the X-Forwarded-For hops our own proxies appended are believed (client-sent ones come first).
  const app = new Koa({ proxy: config.TRUST_PROXY, maxIpsCount: config.TRUST_PROXY_HOPS });
  app.use(middleware);

  const callback = app.callback();
  let drained: Promise<void> | undefined;
  const drain = () =>
    (drained ??= (async () => {
      fanout.close();
      signOuts.close();
      for (const close of closers) await close();
    })());
  const qrLogin: QrLogin = {
    app,
    middleware,
    handle(req, res, next) {
      if (next && !isUnderBasePath(config.BASE_PATH, req.url ?? '/')) return next();
      void callback(req, res);
    },
    store,
    metrics,
    logger,
    async checkWebToken(token) {
      try {
        return await checkWebToken(token);
      } catch (err) {
        if (err instanceof LoginError && err.code === 'invalid_token') return null;
        throw err;
      }
    },
    // Logins' changes come from the login events, sign-outs from their own emitter.
    on(event: QrLoginEventName | 'signed_out', listener: (arg: any) => void) {
      if (event === 'signed_out') events.on(event, listener);
      else loginEvents.on(event, listener);
      return qrLogin;
    },
    off(event: QrLoginEventName | 'signed_out', listener: (arg: any) => void) {
      if (event === 'signed_out') events.off(event, listener);
      else loginEvents.off(event, listener);
      return qrLogin;
    },
    async attach(server) {
      const deps = { config, logger, metrics, limits, redis: connection.redis, service, fanout, checkWebToken, signOuts, now: options.now };
      const { io, closeAdapter } = openSocketServer(server, deps);
      // drain() closes the sockets before anything they listen through.
      if (closeAdapter) closers.push(closeAdapter);
      closers.unshift(() => io.close().catch(() => undefined));
      return io;
    },
    drain,
    async close() {
      await drain();
      await connection.close();
    },
  };
  return qrLogin;
}
