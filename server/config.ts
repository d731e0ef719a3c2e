/**
 * Every setting qrlogin reads from the environment, with its default and a
 * one-line doc. This is the one place configuration is defined: `.env.example`
 * is checked against `SETTINGS` by a test, and a bad value stops the start
 * with one line naming the variable.
 */
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const flag = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');
const optionalText = z.string().min(1).optional();
const url = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ''));
/** PEM keys are often passed on one line with literal "\n". */
const pem = z
  .string()
  .min(1)
  .transform((v) => v.replace(/\\n/g, '\n'))
  .refine((v) => v.includes('-----BEGIN'), 'must be a PEM key')
  .optional();

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
  MOBILE_JWT_SECRET: { schema: optionalText, doc: 'HS256 secret of the mobile app tokens.' },
  MOBILE_JWT_PUBLIC_KEY: { schema: pem, doc: 'PEM public key of the mobile app tokens (RS256 unless MOBILE_JWT_ALG).' },
  MOBILE_JWT_ALG: {
    schema: z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512']).default('RS256'),
    doc: 'Algorithm of MOBILE_JWT_PUBLIC_KEY.',
  },
  WEB_JWT_SECRET: { schema: optionalText, doc: 'HS256 secret the web tokens are signed with (unset: random per process).' },
  WEB_JWT_PRIVATE_KEY: { schema: pem, doc: 'PEM private key for web tokens (RS256/ES256 by key type); wins over the secret.' },
  WEB_TOKEN_TTL_SECONDS: { schema: positiveInt.default(3600), doc: 'Lifetime of an issued web token.' },
  QR_TTL_SECONDS: { schema: positiveInt.max(3600).default(60), doc: 'Lifetime of a login session / QR code.' },
  CONFIRM_WINDOW_SECONDS: { schema: positiveInt.default(60), doc: 'Longest time between a scan and its confirm.' },
  POLL_INTERVAL_MS: { schema: positiveInt.default(1000), doc: 'pollIntervalMs suggested to polling clients.' },
  DEMO: { schema: flag.optional(), doc: 'Serve the demo app-token endpoint (default: on when no mobile key is set).' },
  TRUST_PROXY: { schema: flag.default(false), doc: 'Believe X-Forwarded-For (only behind your own proxy).' },
  LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    doc: 'pino log level.',
  },
  SHUTDOWN_TIMEOUT_MS: { schema: positiveInt.default(10000), doc: 'Longest graceful shutdown before exit.' },
} as const;

type Settings = typeof SETTINGS;
export type Config = { [K in keyof Settings]: z.output<Settings[K]['schema']> } & {
  /** Resolved: PUBLIC_URL or http://localhost:PORT. */
  publicUrl: string;
  /** Resolved: DEMO, or on when no mobile key is configured. */
  demo: boolean;
};

export class ConfigError extends Error {
  constructor(readonly variable: string, detail: string) {
    super(`Invalid configuration: ${variable} ${detail}`);
  }
}

/** Parses the environment; throws a ConfigError naming the first bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const out: Record<string, unknown> = {};
  for (const [name, { schema }] of Object.entries(SETTINGS)) {
    const raw = env[name] === '' ? undefined : env[name];
    const parsed = (schema as z.ZodType).safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConfigError(name, `${issue?.message ?? 'is invalid'} (got ${JSON.stringify(raw)})`);
    }
    out[name] = parsed.data;
  }
  const config = out as Omit<Config, 'publicUrl' | 'demo'>;
  if (config.MOBILE_JWT_SECRET && config.MOBILE_JWT_PUBLIC_KEY) {
    throw new ConfigError('MOBILE_JWT_PUBLIC_KEY', 'cannot be set together with MOBILE_JWT_SECRET');
  }
  const hasMobileKey = Boolean(config.MOBILE_JWT_SECRET || config.MOBILE_JWT_PUBLIC_KEY);
  const demo = config.DEMO ?? !hasMobileKey;
  if (demo && config.MOBILE_JWT_PUBLIC_KEY) {
    throw new ConfigError('DEMO', 'needs MOBILE_JWT_SECRET or no mobile key: the demo cannot sign with a public key');
  }
  return { ...config, publicUrl: config.PUBLIC_URL ?? `http://localhost:${config.PORT}`, demo };
}
