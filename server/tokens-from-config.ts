import type { Logger } from 'pino';
import type { Config } from './config';
import { createAppTokenVerifier, createKeySetVerifier, type VerifyAppToken } from './auth/app-token';
import { randomToken } from './session/secrets';
import { createWebTokens, type WebTokens } from './auth/web-token';

/**
 * The app-token check of a configuration: the key set (MOBILE_JWT_KEYS), the
 * public key or the secret; without any, a random per-process secret, which
 * is also what the demo signs its tokens with (`demoAppSecret`, only with the
 * demo on). A site's own `hook` replaces all of it, and then there is no demo
 * token endpoint (qrlogin could not mint tokens the hook accepts).
 */
export function appTokensFromConfig(
  config: Config,
  logger: Logger,
  hook?: VerifyAppToken,
): { verifyAppToken: VerifyAppToken; demoAppSecret?: string } {
  if (hook) return { verifyAppToken: hook };
  if (config.MOBILE_JWT_KEYS) return { verifyAppToken: createKeySetVerifier(config.MOBILE_JWT_KEYS) };
  if (config.MOBILE_JWT_PUBLIC_KEY) {
    return { verifyAppToken: createAppTokenVerifier({ publicKey: config.MOBILE_JWT_PUBLIC_KEY, algorithm: config.MOBILE_JWT_ALG }) };
  }
  let secret = config.MOBILE_JWT_SECRET;
  if (!secret) {
    secret = randomToken(32);
    logger.warn('No MOBILE_JWT_SECRET, MOBILE_JWT_PUBLIC_KEY or MOBILE_JWT_KEYS: app tokens use a random secret of this process only.');
  }
  if (config.demo) logger.warn('DEMO is on: /api/demo/app-token lets anyone sign in as anyone. Turn it off in production.');
  return { verifyAppToken: createAppTokenVerifier({ secret }), demoAppSecret: config.demo ? secret : undefined };
}

/** The web tokens of a configuration (used unless a site's issueWebToken hook mints its own). */
export function webTokensFromConfig(config: Config, logger: Logger, hasIssueHook: boolean): WebTokens {
  if (!config.WEB_JWT_SECRET && !config.WEB_JWT_PRIVATE_KEY && !hasIssueHook) {
    logger.warn('No WEB_JWT_SECRET or WEB_JWT_PRIVATE_KEY: web tokens are signed with a random key of this process only.');
  }
  return createWebTokens({
    secret: config.WEB_JWT_SECRET,
    privateKey: config.WEB_JWT_PRIVATE_KEY,
    kid: config.WEB_JWT_KID,
    retiredKeys: config.WEB_JWT_RETIRED_KEYS,
    ttlSeconds: config.WEB_TOKEN_TTL_SECONDS,
  });
}
