import { ConfigError, loadConfig, type Config, type SETTINGS } from './config';

/** A JSON Web Key Set, as MOBILE_JWT_KEYS and WEB_JWT_RETIRED_KEYS take it. */
export interface Jwks {
  keys: Record<string, unknown>[];
}

/**
 * qrlogin's settings as a site passes them in code (library mode): typed and
 * camelCase. Each option stands for one environment variable of the SETTINGS
 * table (named in its comment) and is validated by the same rules, so a value
 * means the same thing whichever way it is given. Unset: the variable's default.
 */
export interface QrLoginSettings {
  /** PUBLIC_URL: origin the QR points phones to. */
  publicUrl?: string;
  /** BASE_PATH: path qrlogin is served under, e.g. '/auth'. */
  basePath?: string;
  /** REDIS_URL, or REDIS_CLUSTER_NODES and REDIS_KEY_PREFIX. Unset (and no `store`): in-memory, one process only. */
  redis?: string | { url?: string; clusterNodes?: string[]; keyPrefix?: string };
  /** How app tokens are checked (unless verifyAppToken is given): MOBILE_JWT_SECRET, _PUBLIC_KEY, _ALG, _KEYS. */
  mobileJwt?: { secret?: string; publicKey?: string; algorithm?: string; keys?: Jwks };
  /** How web tokens are signed (unless issueWebToken is given): WEB_JWT_SECRET, _PRIVATE_KEY, _KID, _RETIRED_KEYS, WEB_TOKEN_TTL_SECONDS. */
  webJwt?: { secret?: string; privateKey?: string; kid?: string; retiredKeys?: Jwks; ttlSeconds?: number };
  /** QR_TTL_SECONDS. */
  qrTtlSeconds?: number;
  /** CONFIRM_WINDOW_SECONDS. */
  confirmWindowSeconds?: number;
  /** POLL_INTERVAL_MS. */
  pollIntervalMs?: number;
  /** CORS_ORIGINS. */
  corsOrigins?: string[];
  /** TRUST_PROXY (true: one proxy of yours) or TRUST_PROXY_HOPS (a number of them). */
  trustProxy?: boolean | number;
  /** RATE_LIMITS (false: off) or some RATE_LIMIT_* counts. */
  rateLimits?:
    | false
    | { windowSeconds?: number; createPerIp?: number; mobilePerIp?: number; mobilePerUser?: number; sessionReads?: number; handshakesPerIp?: number };
  /** DEMO: the demo app-token endpoint (default: on only without any mobile key or verifyAppToken). */
  demo?: boolean;
  /** LOG_LEVEL of the logger qrlogin makes (unless `logger` is given). */
  logLevel?: string;
  /** Any other setting by its variable name, as the environment would give it. */
  settings?: Partial<Record<keyof typeof SETTINGS, string>>;
}

type Variables = Record<string, string | undefined>;
const text = (value: unknown) => (value === undefined ? undefined : String(value));
const json = (value: unknown) => (value === undefined ? undefined : JSON.stringify(value));

/** The environment variables `options` stand for, each with the option's name (for error messages). */
function variablesOf(o: QrLoginSettings): { variables: Variables; optionOf: Map<string, string> } {
  const redis = typeof o.redis === 'string' ? { url: o.redis } : o.redis;
  const limits = o.rateLimits;
  const counts = limits || undefined;
  const entries: [variable: string, option: string, value: string | undefined][] = [
    ['PUBLIC_URL', 'publicUrl', o.publicUrl],
    ['BASE_PATH', 'basePath', o.basePath],
    ['REDIS_URL', 'redis.url', redis?.url],
    ['REDIS_CLUSTER_NODES', 'redis.clusterNodes', redis?.clusterNodes?.join(',')],
    ['REDIS_KEY_PREFIX', 'redis.keyPrefix', redis?.keyPrefix],
    ['MOBILE_JWT_SECRET', 'mobileJwt.secret', o.mobileJwt?.secret],
    ['MOBILE_JWT_PUBLIC_KEY', 'mobileJwt.publicKey', o.mobileJwt?.publicKey],
    ['MOBILE_JWT_ALG', 'mobileJwt.algorithm', o.mobileJwt?.algorithm],
    ['MOBILE_JWT_KEYS', 'mobileJwt.keys', json(o.mobileJwt?.keys)],
    ['WEB_JWT_SECRET', 'webJwt.secret', o.webJwt?.secret],
    ['WEB_JWT_PRIVATE_KEY', 'webJwt.privateKey', o.webJwt?.privateKey],
    ['WEB_JWT_KID', 'webJwt.kid', o.webJwt?.kid],
    ['WEB_JWT_RETIRED_KEYS', 'webJwt.retiredKeys', json(o.webJwt?.retiredKeys)],
    ['WEB_TOKEN_TTL_SECONDS', 'webJwt.ttlSeconds', text(o.webJwt?.ttlSeconds)],
    ['QR_TTL_SECONDS', 'qrTtlSeconds', text(o.qrTtlSeconds)],
    ['CONFIRM_WINDOW_SECONDS', 'confirmWindowSeconds', text(o.confirmWindowSeconds)],
    ['POLL_INTERVAL_MS', 'pollIntervalMs', text(o.pollIntervalMs)],
    ['CORS_ORIGINS', 'corsOrigins', o.corsOrigins?.join(',')],
    ['TRUST_PROXY', 'trustProxy', o.trustProxy === undefined ? undefined : o.trustProxy === false ? '0' : '1'],
    ['TRUST_PROXY_HOPS', 'trustProxy', typeof o.trustProxy === 'number' ? String(o.trustProxy) : undefined],
    ['RATE_LIMITS', 'rateLimits', limits === undefined ? undefined : limits === false ? '0' : '1'],
    ['RATE_LIMIT_WINDOW_SECONDS', 'rateLimits.windowSeconds', text(counts?.windowSeconds)],
    ['RATE_LIMIT_CREATE_PER_IP', 'rateLimits.createPerIp', text(counts?.createPerIp)],
    ['RATE_LIMIT_MOBILE_PER_IP', 'rateLimits.mobilePerIp', text(counts?.mobilePerIp)],
    ['RATE_LIMIT_MOBILE_PER_USER', 'rateLimits.mobilePerUser', text(counts?.mobilePerUser)],
    ['RATE_LIMIT_SESSION_READS', 'rateLimits.sessionReads', text(counts?.sessionReads)],
    ['RATE_LIMIT_HANDSHAKES_PER_IP', 'rateLimits.handshakesPerIp', text(counts?.handshakesPerIp)],
    ['DEMO', 'demo', o.demo === undefined ? undefined : o.demo ? '1' : '0'],
    ['LOG_LEVEL', 'logLevel', o.logLevel],
  ];
  const variables: Variables = { ...o.settings };
  const optionOf = new Map<string, string>();
  for (const [variable, option, value] of entries) {
    if (value === undefined) continue;
    variables[variable] = value;
    optionOf.set(variable, option);
  }
  return { variables, optionOf };
}

/**
 * The validated configuration of camelCase options: the same loadConfig() the
 * environment goes through (the process environment itself is not read). A bad
 * value throws a ConfigError that names the option, e.g.
 * `Invalid option qrTtlSeconds (QR_TTL_SECONDS): …`.
 */
export function configFromOptions(options: QrLoginSettings): Config {
  const { variables, optionOf } = variablesOf(options);
  try {
    return loadConfig(variables);
  } catch (err) {
    const option = err instanceof ConfigError ? optionOf.get(err.variable) : undefined;
    if (!option || !(err instanceof ConfigError)) throw err;
    const named = new ConfigError(err.variable, '');
    named.message = err.message.replace(`Invalid configuration: ${err.variable}`, `Invalid option ${option} (${err.variable}):`);
    throw named;
  }
}
