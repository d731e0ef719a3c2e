import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from '../metrics';
import { listen } from './listen';
import { carriesBearer } from './ops-routes';

/**
 * The METRICS_PORT listener: GET /metrics only, on its own port (loopback by
 * default), so Prometheus scrapes it and the public app port and the proxy in
 * front of it never serve it. With a metrics token set, the token is needed
 * here too.
 */
export async function startMetricsServer(options: { port: number; host: string; metrics: Metrics; token?: string }): Promise<{ server: Server; url: string }> {
  const { metrics, token } = options;
  const server = createServer({ headersTimeout: 5000, requestTimeout: 5000 }, (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics' || (token !== undefined && !carriesBearer(req.headers.authorization, token))) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found","message":"Only GET /metrics is served here"}');
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await listen(server, options.port, options.host, { what: 'metrics', setting: 'METRICS_PORT' });
  const { address, port } = server.address() as AddressInfo;
  return { server, url: `http://${address.includes(':') ? `[${address}]` : address}:${port}/metrics` };
}
