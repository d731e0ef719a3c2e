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

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'qrlogin' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
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
