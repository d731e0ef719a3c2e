import pino, { type Logger } from 'pino';

/** Paths never written to logs: browser secrets, codes, QR contents (they hold the code) and tokens (app and web). */
export const REDACT_PATHS = [
  'secret',
  'secretHash',
  'code',
  'token',
  'qr',
  '*.secret',
  '*.secretHash',
  '*.code',
  '*.token',
  '*.qr',
  'req.headers.authorization',
  'req.headers["x-login-secret"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-login-secret"]',
  'headers.cookie',
];

/** Query parameters whose values are secrets wherever they appear in a logged URL. */
const SECRET_PARAMS = new Set(['code', 'secret', 'token', 'qr', 'access_token', 'id_token']);

/**
 * Error codes share the name `code` with the QR's verification code; Node's
 * (`ECONNREFUSED`, `ERR_…`) and the protocol's (`invalid_token`) are kept so
 * errors stay diagnosable. A login code is 22 random base64url characters: the
 * chance it has one of these shapes is below one in 10^8.
 */
const ERROR_CODE = /^(E[A-Z_]+|ERR_[A-Z0-9_]+|[a-z]+(_[a-z]+)*)$/;

function censor(value: unknown, path: string[]): unknown {
  if (path[path.length - 1] === 'code' && typeof value === 'string' && ERROR_CODE.test(value)) return value;
  return '[redacted]';
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'qrlogin' }, redact: { paths: REDACT_PATHS, censor } }, destination);
}

/**
 * Where a node writes its log: readable coloured lines when `stream` is a
 * terminal (someone is watching `npm start`), JSON lines otherwise (a log
 * collector is). Redaction happens before either, in pino.
 */
export function logDestination(stream: NodeJS.WriteStream = process.stdout): pino.DestinationStream | undefined {
  if (!stream.isTTY) return undefined;
  // Loaded only for a terminal: a node in production never pays for it at start.
  const pretty = require('pino-pretty') as typeof import('pino-pretty');
  return pretty({ destination: stream, sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' });
}

/**
 * A URL (or path with query) fit for a log line: values of secret parameters
 * (e.g. the QR's `code`) become `[redacted]`; everything else is kept.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = safeDecode(eq < 0 ? pair : pair.slice(0, eq)).toLowerCase();
      return SECRET_PARAMS.has(name) && eq >= 0 ? `${pair.slice(0, eq)}=[redacted]` : pair;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
