import pino, { type Logger } from 'pino';

/** Paths never written to logs: browser secrets, codes, and tokens (app and web). */
export const REDACT_PATHS = [
  'secret',
  'code',
  'token',
  '*.secret',
  '*.code',
  '*.token',
  'req.headers.authorization',
  'req.headers["x-login-secret"]',
  'headers.authorization',
  'headers["x-login-secret"]',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'qrlogin' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
}
