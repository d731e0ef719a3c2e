import type { ServerOptions } from 'node:http';
import type { Config } from '../config';

/**
 * Timeouts of the node's own HTTP server: a client that trickles its headers
 * or its (at most 16 KiB) body is cut off instead of holding a connection for
 * Node's defaults (60 s of headers, 300 s per request). Node checks them
 * every `connectionsCheckingInterval` (30 s by default, which let slow
 * clients stay 73–90 s), so the check runs at least twice per timeout. The
 * request timeout ends once the request is read: a long poll's wait for its
 * answer is not cut.
 */
export function httpServerOptions(config: Pick<Config, 'HTTP_HEADERS_TIMEOUT_MS' | 'HTTP_REQUEST_TIMEOUT_MS'>): ServerOptions {
  return {
    headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(config.HTTP_HEADERS_TIMEOUT_MS / 2))),
  };
}
