/** `npm start`: one qrlogin node configured from the environment. */
import { createServer } from 'node:http';
import { ConfigError, loadConfig, type Config } from './config';
import { createQrLogin } from './app';
import { httpServerOptions } from './http/server-options';
import { startMetricsServer } from './http/metrics-server';
import { listen } from './http/listen';
import { createLogger, logDestination } from './log';
import { gracefulShutdown } from './shutdown';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.LOG_LEVEL, logDestination());
  const qrlogin = await createQrLogin({ config, logger });
  const server = createServer(httpServerOptions(config), qrlogin.app.callback());
  await qrlogin.attach(server);
  await listen(server, config.PORT, config.HOST);
  if (config.METRICS_PORT !== undefined) {
    const metricsServer = await startMetricsServer({ port: config.METRICS_PORT, host: config.METRICS_HOST, metrics: qrlogin.metrics, token: config.METRICS_TOKEN });
    metricsServer.server.unref();
    logger.info({ metricsUrl: metricsServer.url }, `metrics on ${metricsServer.url}`);
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  // The address people open is PUBLIC_URL's (the one the QR points phones to), not the interface bound.
  const openAt = `${new URL(config.publicUrl).origin}${config.BASE_PATH}/`;
  logger.info({ port, host: config.HOST, publicUrl: config.publicUrl }, `qrlogin listening on ${openAt}`);

  const shutdown = gracefulShutdown({ server, qrlogin, logger, timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`qrlogin failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
