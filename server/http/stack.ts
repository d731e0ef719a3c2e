import type Koa from 'koa';
import compose from 'koa-compose';
import type { Logger } from 'pino';
import { checkClaims, type AppClaims, type VerifyAppToken } from '../auth/app-token';
import type { WebTokens } from '../auth/web-token';
import type { Config } from '../config';
import type { DeviceService } from '../devices/service';
import type { VerifyWebToken } from '../devices/token-check';
import type { RateLimits } from '../limits/rate-limits';
import type { Metrics } from '../metrics';
import type { LoginService } from '../session/service';
import type { Store } from '../session/store';
import type { SessionUser } from '../session/types';
import { appAssociationRoutes } from './app-association';
import { appPageRoute } from './app-page-route';
import { underBasePath } from './base-path';
import { bodyDeadline } from './body-deadline';
import { browserRoutes, type WaitForChange } from './browser-routes';
import { demoRoutes } from './demo-routes';
import { deviceRoutes } from './device-routes';
import { errorHandler } from './errors';
import { jwksRoute } from './jwks-route';
import { meRoute } from './me-route';
import { mobileCaller } from './mobile-caller';
import { mobileRoutes } from './mobile-routes';
import { opsRoutes } from './ops-routes';
import { requestLog } from './request-log';
import { requestMetrics } from './request-metrics';
import { corsAllowList, securityHeaders } from './security-headers';

export interface HttpStackDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  store: Store;
  service: LoginService;
  /** The QR URL's base: PUBLIC_URL followed by BASE_PATH. */
  loginUrlBase: string;
  waitForChange: WaitForChange;
  limits: RateLimits;
  devices: DeviceService;
  webTokens: WebTokens;
  checkWebToken: VerifyWebToken;
  /** The site's hook or the configured check, as given: the stack still insists on `sub` and `exp`. */
  verifyAppToken: VerifyAppToken;
  describeUser: (claims: AppClaims) => SessionUser | Promise<SessionUser>;
  /** Set only with the demo on: its token endpoint signs with it. */
  demoAppSecret?: string;
  /** The built demo pages; default: dist/public of this package. */
  publicDir?: string;
}

/**
 * Every HTTP route of qrlogin behind its middleware, as one Koa middleware
 * under BASE_PATH: what `QrLogin.middleware` is and what its own app runs.
 * Kept apart from app.ts so that the order, which matters, reads in one
 * place: the log and metrics around everything, the security headers around
 * the error handler (error answers get them too), then the routers, ops first.
 */
export function httpStack(deps: HttpStackDeps): Koa.Middleware {
  const { config, logger, metrics } = deps;
  return underBasePath(
    config.BASE_PATH,
    compose<Koa.ParameterizedContext>([
      requestLog(logger),
      requestMetrics(metrics),
      bodyDeadline(config.HTTP_BODY_TIMEOUT_MS),
      securityHeaders({ imageOrigins: [new URL(config.publicUrl).origin] }),
      errorHandler(logger),
      corsAllowList(config.CORS_ORIGINS),
      ...routers(deps).flatMap((r) => [r.routes() as Koa.Middleware, r.allowedMethods() as Koa.Middleware]),
    ]),
  );
}

function routers(deps: HttpStackDeps) {
  const { config, metrics, store, service, loginUrlBase, waitForChange, limits, devices, webTokens, checkWebToken, describeUser, demoAppSecret } = deps;
  return [
    opsRoutes({ store, metrics, metricsToken: config.METRICS_TOKEN }),
    browserRoutes({
      service,
      waitForChange,
      ttlSeconds: config.QR_TTL_SECONDS,
      pollIntervalMs: config.POLL_INTERVAL_MS,
      limits,
      onCreated: () => metrics.sessionsCreated.inc(),
    }),
    mobileRoutes({ service, publicUrl: loginUrlBase, verifyAppToken: checked(deps.verifyAppToken), describeUser, limits }),
    deviceRoutes({
      devices,
      admit: mobileCaller({ verifyAppToken: checked(deps.verifyAppToken), describeUser, limits }),
    }),
    meRoute({ webTokens, checkWebToken, devices }),
    jwksRoute(webTokens),
    demoRoutes({ publicDir: deps.publicDir, demoAppSecret, basePath: config.BASE_PATH, siteName: config.siteName }),
    // Without the demo token endpoint the demo phone page could not work: the production page instead.
    ...(demoAppSecret ? [] : [appPageRoute({
      siteName: config.siteName,
      appLinkUrl: config.APP_LINK_URL,
      appStoreUrl: config.APP_STORE_URL,
      playStoreUrl: config.PLAY_STORE_URL,
      basePath: config.BASE_PATH,
    })]),
    appAssociationRoutes({
      iosAppIds: config.IOS_APP_IDS,
      androidPackage: config.ANDROID_APP_PACKAGE,
      androidCertSha256: config.ANDROID_CERT_SHA256,
      basePath: config.BASE_PATH,
    }),
  ];
}

/** Any token verifier, default or a site's hook, must still yield `sub` and `exp`. */
function checked(verify: VerifyAppToken): VerifyAppToken {
  return async (token) => checkClaims(await verify(token));
}
