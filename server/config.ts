/**
 * Every setting qrlogin reads from the environment, with its default and a
 * one-line doc. This is the one place configuration is defined: `.env.example`
 * is checked against `SETTINGS` by a test, and a bad value stops the start
 * with one line naming the variable.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { z } from 'zod';
import { algorithmFor, parseJwks } from './auth/keys';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().min(0);
const flag = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');
const optionalText = z.string().min(1).optional();
const link = z.url({ protocol: /^https?$/ });
const url = link.transform((u) => u.replace(/\/+$/, ''));
/** PEM keys are often passed on one line with literal "\n"; the key must load, not just look like PEM. */
const pem = (kind: 'public' | 'private') =>
  z
    .string()
    .min(1)
    .transform((v, ctx) => {
      const text = v.replace(/\\n/g, '\n');
      try {
        (kind === 'public' ? createPublicKey : createPrivateKey)(text);
        return text;
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `must be a PEM ${kind} key (${(err as Error).message})` });
        return z.NEVER;
      }
    })
    .optional();
/** An inline JWKS, checked key by key. */
const jwks = z
  .string()
  .min(1)
  .transform((v, ctx) => {
    try {
      return parseJwks(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  })
  .optional();
/** A comma-separated list, each entry trimmed, empties dropped, every one matching `pattern` (named in `format`). */
const list = (pattern: RegExp, format: string, normalize: (entry: string) => string = (e) => e) =>
  z
    .string()
    .transform((v) => v.split(',').map((e) => normalize(e.trim())).filter(Boolean))
    .refine((entries) => entries.length > 0 && entries.every((e) => pattern.test(e)), `must be comma-separated ${format}`)
    .optional();
/** An Apple app id: the 10-character Team ID, a dot, the bundle id (https://developer.apple.com/documentation/xcode/supporting-associated-domains). */
const IOS_APP_ID = /^[A-Z0-9]{10}\.[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/;
/** An Android application id (package name): at least two dot-separated Java identifiers. */
const ANDROID_PACKAGE = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/;
/** A SHA-256 certificate fingerprint as `keytool -list -v` prints it: 32 colon-separated hex bytes. */
const SHA256_FINGERPRINT = /^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/;
const basePath = z
  .string()
  .regex(/^(\/[A-Za-z0-9._~-]+)*\/?$/, 'must be a path like /auth')
  .transform((v) => v.replace(/\/+$/, ''));

/** One setting: its zod schema, a one-line doc, and whether its value must never be printed. */
interface Setting {
  schema: z.ZodType;
  doc: string;
  secret?: true;
}

export const SETTINGS = {
  PORT: { schema: port.default(3000), doc: 'HTTP port the node listens on.' },
  HOST: { schema: z.string().min(1).default('127.0.0.1'), doc: 'Interface to bind; 0.0.0.0 in containers.' },
  PUBLIC_URL: {
    schema: url.optional(),
    doc: 'Origin the QR points phones to (default http://localhost:PORT). Scans of other origins are refused.',
  },
  REDIS_URL: { schema: optionalText, doc: 'redis:// URL. Unset: in-memory store, one process only (development).' },
  REDIS_CLUSTER_NODES: { schema: optionalText, doc: 'Comma-separated host:port of a Redis Cluster; wins over REDIS_URL.' },
  REDIS_KEY_PREFIX: { schema: z.string().default('qrlogin:'), doc: 'Prefix of every key and channel qrlogin uses.' },
  BASE_PATH: {
    schema: basePath.default(''),
    doc: 'Path qrlogin is served under (e.g. /auth): routes, socket.io path, demo pages and the QR URL follow it.',
  },
  MOBILE_JWT_SECRET: { schema: optionalText, doc: 'HS256 secret of the mobile app tokens.', secret: true },
  MOBILE_JWT_PUBLIC_KEY: { schema: pem('public'), doc: 'PEM public key of the mobile app tokens (RS256 unless MOBILE_JWT_ALG).' },
  MOBILE_JWT_ALG: {
    schema: z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512']).optional(),
    doc: 'Algorithm of MOBILE_JWT_PUBLIC_KEY (default: RS256 for RSA, ES256/384/512 by EC curve).',
  },
  MOBILE_JWT_KEYS: {
    schema: jwks,
    doc: 'Key rotation: inline JWKS {"keys":[...]} of app-token keys, picked by the token\'s kid; replaces the two above.',
    secret: true,
  },
  WEB_JWT_SECRET: { schema: optionalText, doc: 'HS256 secret the web tokens are signed with (unset: random per process).', secret: true },
  WEB_JWT_PRIVATE_KEY: {
    schema: pem('private'),
    doc: 'PEM private key for web tokens (RS256, or ES256/384/512 by curve); wins over the secret; public JWKS at /.well-known/jwks.json.',
    secret: true,
  },
  WEB_JWT_KID: { schema: optionalText, doc: 'kid of WEB_JWT_PRIVATE_KEY in tokens and the JWKS (default: its RFC 7638 thumbprint).' },
  WEB_JWT_RETIRED_KEYS: {
    schema: jwks,
    doc: 'Rotation: inline JWKS of earlier web-token public keys, still published and accepted until their tokens expire.',
  },
  WEB_TOKEN_TTL_SECONDS: { schema: positiveInt.default(3600), doc: 'Lifetime of an issued web token.' },
  REDEEM_REDELIVERY_SECONDS: {
    schema: positiveInt.min(60).max(300).default(60),
    doc: 'How long a repeat redeem by the same browser (its secret) gets the same token again, kept sealed under a key derived from the secret (60-300).',
  },
  MAX_DEVICES_PER_USER: {
    schema: positiveInt.max(1000).default(50),
    doc: 'Linked devices (logged-in browsers) one user may have; each new login past it signs out the one whose token expires first.',
  },
  QR_TTL_SECONDS: { schema: positiveInt.max(3600).default(60), doc: 'Lifetime of a login session / QR code.' },
  CONFIRM_WINDOW_SECONDS: { schema: positiveInt.default(60), doc: 'Longest time between a scan and its confirm.' },
  POLL_INTERVAL_MS: { schema: positiveInt.default(1000), doc: 'pollIntervalMs suggested to polling clients.' },
  DEMO: { schema: flag.optional(), doc: 'Serve the demo app-token endpoint (default: on when no mobile key is set).' },
  DEMO_FORCE: {
    schema: flag.default(false),
    doc: 'Allow DEMO=1 together with MOBILE_JWT_SECRET (refused otherwise: the demo would sign real app tokens for anyone). Test setups only.',
  },
  TRUST_PROXY: { schema: flag.default(false), doc: 'Believe X-Forwarded-For as appended by your own proxies (see TRUST_PROXY_HOPS); only behind them.' },
  TRUST_PROXY_HOPS: {
    schema: positiveInt.max(10).default(1),
    doc: 'With TRUST_PROXY: how many proxies of yours append to X-Forwarded-For; the client is that many hops from the end.',
  },
  CORS_ORIGINS: {
    schema: z
      .string()
      .default('')
      .transform((v) => v.split(',').map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean))
      .refine((list) => list.every((o) => /^https?:\/\/[^/\s]+$/.test(o)), 'must be comma-separated origins like https://example.com'),
    doc: 'Comma-separated origins allowed to call the API and socket from another site (CORS). Empty: same origin only.',
  },
  RATE_LIMITS: { schema: flag.default(true), doc: 'Turn every rate limit on or off (off only for benchmarks).' },
  RATE_LIMIT_WINDOW_SECONDS: { schema: positiveInt.default(60), doc: 'Window the RATE_LIMIT_* counts are per.' },
  RATE_LIMIT_REDIS_WAIT_MS: {
    schema: positiveInt.max(10_000).default(150),
    doc: 'How long a rate limit waits for Redis before this node counts that request alone, in memory: a Redis away or slower than this neither lifts the limits nor holds requests. Raise it where Redis is far, or busy enough to answer slower.',
  },
  RATE_LIMIT_CREATE_PER_IP: { schema: nonNegativeInt.default(300), doc: 'Login sessions one IP may create per window (0: no limit).' },
  RATE_LIMIT_MOBILE_PER_IP: { schema: nonNegativeInt.default(600), doc: 'Mobile API calls per IP per window (0: no limit).' },
  RATE_LIMIT_MOBILE_PER_USER: { schema: nonNegativeInt.default(120), doc: 'Mobile API calls per app user per window (0: no limit).' },
  RATE_LIMIT_SESSION_READS: {
    schema: nonNegativeInt.default(600),
    doc: 'Polls, QR image reads, redeems and DELETEs per login session and client per window, counted once id and secret check out (0: no limit). A socket redeeming a login it was pushed as confirmed does so once without counting: its handshake counted.',
  },
  RATE_LIMIT_USER_CODE_PER_IP: {
    schema: nonNegativeInt.default(10),
    doc: 'Wrong user codes (typed instead of scanning) one IP may try per RATE_LIMIT_USER_CODE_WINDOW_SECONDS (0: no limit). See docs/SECURITY.md.',
  },
  RATE_LIMIT_USER_CODE_PER_USER: {
    schema: nonNegativeInt.default(10),
    doc: 'Wrong user codes one app user may try per RATE_LIMIT_USER_CODE_WINDOW_SECONDS (0: no limit).',
  },
  RATE_LIMIT_USER_CODE_WINDOW_SECONDS: { schema: positiveInt.default(600), doc: 'Window the RATE_LIMIT_USER_CODE_* counts are per.' },
  IPV6_PREFIX_LENGTH: {
    schema: z.coerce.number().int().min(32).max(128).default(64),
    doc: 'Per-IP limits count an IPv6 client by its network of this prefix length (64: one /64 is one client; 56 for ISPs handing out /56s).',
  },
  RATE_LIMIT_HANDSHAKES_PER_IP: { schema: nonNegativeInt.default(600), doc: 'Socket.IO /login handshakes per IP per window (0: no limit).' },
  RATE_LIMIT_CONNECTIONS_PER_IP: {
    schema: nonNegativeInt.default(600),
    doc: 'Engine.IO connections (the handshake under every Socket.IO namespace and transport) one IP may open per window (0: no limit).',
  },
  RATE_LIMIT_OPEN_SOCKETS_PER_IP: {
    schema: nonNegativeInt.default(200),
    doc: 'Engine.IO connections one IP may hold open at once, per node (0: no limit). Per node: it guards the node\'s memory, and nginx keeps an address on one node.',
  },
  RATE_LIMIT_BROWSER_PER_IP: {
    schema: nonNegativeInt.default(1200),
    doc: 'Browser calls on sessions (polls, QR images, redeems, DELETEs) per IP per window, counted before anything else (0: no limit).',
  },
  RATE_LIMIT_BROWSER_FAILURES_PER_IP: {
    schema: nonNegativeInt.default(60),
    doc: 'Browser calls and socket handshakes per IP per window that name an unknown session or a wrong secret; past it they get 429 (0: no limit).',
  },
  HTTP_HEADERS_TIMEOUT_MS: {
    schema: positiveInt.default(10000),
    doc: 'Longest time a client may take to send its request headers; then 408 and the connection is closed.',
  },
  HTTP_REQUEST_TIMEOUT_MS: {
    schema: positiveInt.default(20000),
    doc: 'Longest time to receive a whole request (headers and a body of at most 16 KiB); not the answer\'s wait (long polls wait up to 30 s).',
  },
  HTTP_BODY_TIMEOUT_MS: {
    schema: positiveInt.default(10000),
    doc: 'Longest time to receive a request body once the headers are in; then the connection is closed (also in library mode).',
  },
  METRICS_PORT: { schema: port.optional(), doc: 'Port of a separate listener serving GET /metrics (unset: none).' },
  METRICS_HOST: { schema: z.string().min(1).default('127.0.0.1'), doc: 'Interface the METRICS_PORT listener binds (loopback by default: not public).' },
  METRICS_TOKEN: {
    schema: z.string().min(16, 'must be at least 16 characters').optional(),
    doc: 'Bearer token GET /metrics requires; with it /metrics is also served on the app port. Unset: /metrics only on METRICS_PORT.',
    secret: true,
  },
  SITE_NAME: {
    schema: z.string().trim().min(1).max(100).optional(),
    doc: 'Your site\'s name, on the phone page a stock camera opens (default: the host of PUBLIC_URL).',
  },
  APP_LINK_URL: {
    schema: link.optional(),
    doc: 'With the demo off: your app\'s universal / app link the phone page opens, with id and code added to its query.',
  },
  APP_STORE_URL: { schema: link.optional(), doc: 'Your iOS app in the App Store, linked from the phone page for phones without it.' },
  PLAY_STORE_URL: { schema: link.optional(), doc: 'Your Android app in Google Play, linked from the phone page for phones without it.' },
  IOS_APP_IDS: {
    schema: list(IOS_APP_ID, 'TEAMID.bundle.id app ids'),
    doc: 'Comma-separated TEAMID.bundle.id of your iOS apps: /.well-known/apple-app-site-association lets them open /m/login links.',
  },
  ANDROID_APP_PACKAGE: {
    schema: z.string().regex(ANDROID_PACKAGE, 'must be an Android package name like com.example.app').optional(),
    doc: 'Package name of your Android app: /.well-known/assetlinks.json lets it open /m/login links (with ANDROID_CERT_SHA256).',
  },
  ANDROID_CERT_SHA256: {
    schema: list(SHA256_FINGERPRINT, 'SHA-256 fingerprints like 14:6D:E9:…(32 bytes)', (e) => e.toUpperCase()),
    doc: 'Comma-separated SHA-256 fingerprints (AA:BB:…, 32 bytes) of the certificates your Android app is signed with.',
  },
  LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    doc: 'pino log level.',
  },
  SHUTDOWN_TIMEOUT_MS: { schema: positiveInt.default(10000), doc: 'Longest graceful shutdown before exit.' },
} as const satisfies Record<string, Setting>;

type Settings = typeof SETTINGS;
export type Config = { [K in keyof Settings]: z.output<Settings[K]['schema']> } & {
  /** Resolved: PUBLIC_URL or http://localhost:PORT. */
  publicUrl: string;
  /** Resolved: DEMO, or on when no mobile key is configured. */
  demo: boolean;
  /** Resolved: SITE_NAME or the host of publicUrl. */
  siteName: string;
};

export class ConfigError extends Error {
  constructor(readonly variable: string, detail: string) {
    super(`Invalid configuration: ${variable} ${detail}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws a ConfigError naming the first bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const out: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(SETTINGS) as [string, Setting][]) {
    const raw = env[name] === '' ? undefined : env[name];
    const parsed = setting.schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      // Secrets are never echoed, not even a wrong one: this line ends up in logs.
      const got = setting.secret ? '' : ` (got ${JSON.stringify(raw)})`;
      throw new ConfigError(name, `${issue?.message ?? 'is invalid'}${got}`);
    }
    out[name] = parsed.data;
  }
  const config = out as Omit<Config, 'publicUrl' | 'demo' | 'siteName'>;
  if (config.MOBILE_JWT_SECRET && config.MOBILE_JWT_PUBLIC_KEY) {
    throw new ConfigError('MOBILE_JWT_PUBLIC_KEY', 'cannot be set together with MOBILE_JWT_SECRET');
  }
  if (config.MOBILE_JWT_KEYS && (config.MOBILE_JWT_SECRET || config.MOBILE_JWT_PUBLIC_KEY)) {
    throw new ConfigError('MOBILE_JWT_KEYS', 'cannot be set together with MOBILE_JWT_SECRET or MOBILE_JWT_PUBLIC_KEY');
  }
  if (config.MOBILE_JWT_ALG && !config.MOBILE_JWT_PUBLIC_KEY) {
    throw new ConfigError('MOBILE_JWT_ALG', 'only applies to MOBILE_JWT_PUBLIC_KEY, which is not set');
  }
  if (config.MOBILE_JWT_PUBLIC_KEY) {
    try {
      algorithmFor(createPublicKey(config.MOBILE_JWT_PUBLIC_KEY), config.MOBILE_JWT_ALG);
    } catch (err) {
      throw new ConfigError(config.MOBILE_JWT_ALG ? 'MOBILE_JWT_ALG' : 'MOBILE_JWT_PUBLIC_KEY', (err as Error).message);
    }
  }
  if (config.WEB_JWT_PRIVATE_KEY) {
    try {
      algorithmFor(createPublicKey(createPrivateKey(config.WEB_JWT_PRIVATE_KEY)));
    } catch (err) {
      throw new ConfigError('WEB_JWT_PRIVATE_KEY', (err as Error).message);
    }
  }
  for (const name of ['WEB_JWT_KID', 'WEB_JWT_RETIRED_KEYS'] as const) {
    if (config[name] && !config.WEB_JWT_PRIVATE_KEY) throw new ConfigError(name, 'only applies to WEB_JWT_PRIVATE_KEY, which is not set');
  }
  const retired = config.WEB_JWT_RETIRED_KEYS ?? [];
  if (retired.some((k) => k.key.type !== 'public')) {
    throw new ConfigError('WEB_JWT_RETIRED_KEYS', 'must hold public RSA or EC keys only (they are published)');
  }
  if (config.WEB_JWT_KID && retired.some((k) => k.kid === config.WEB_JWT_KID)) {
    throw new ConfigError('WEB_JWT_RETIRED_KEYS', `kid "${config.WEB_JWT_KID}" is the current key's (WEB_JWT_KID)`);
  }
  if (config.HTTP_HEADERS_TIMEOUT_MS > config.HTTP_REQUEST_TIMEOUT_MS) {
    throw new ConfigError('HTTP_HEADERS_TIMEOUT_MS', `must not exceed HTTP_REQUEST_TIMEOUT_MS (${config.HTTP_REQUEST_TIMEOUT_MS})`);
  }
  if (Boolean(config.ANDROID_APP_PACKAGE) !== Boolean(config.ANDROID_CERT_SHA256)) {
    const missing = config.ANDROID_APP_PACKAGE ? 'ANDROID_CERT_SHA256' : 'ANDROID_APP_PACKAGE';
    throw new ConfigError(missing, `is needed too: Android checks the app's package and certificate together`);
  }
  const hasMobileKey = Boolean(config.MOBILE_JWT_SECRET || config.MOBILE_JWT_PUBLIC_KEY || config.MOBILE_JWT_KEYS);
  const demo = config.DEMO ?? !hasMobileKey;
  if (demo && (config.MOBILE_JWT_PUBLIC_KEY || config.MOBILE_JWT_KEYS)) {
    throw new ConfigError('DEMO', 'needs MOBILE_JWT_SECRET or no mobile key: the demo cannot sign with public keys');
  }
  // The demo signs with MOBILE_JWT_SECRET: with a real app's secret, anyone could mint that app's tokens for any user.
  if (demo && config.MOBILE_JWT_SECRET && !config.DEMO_FORCE) {
    throw new ConfigError('DEMO', 'is on while MOBILE_JWT_SECRET is set: the demo would sign real app tokens for anyone. Set DEMO=0 (or DEMO_FORCE=1 for a test setup)');
  }
  const publicUrl = config.PUBLIC_URL ?? `http://localhost:${config.PORT}`;
  return { ...config, publicUrl, demo, siteName: config.SITE_NAME ?? new URL(publicUrl).host };
}
