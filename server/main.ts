/** `npm start`: one qrlogin node configured from the environment. */
import { createServer } from 'node:http';
import { ConfigError, loadConfig, type Config } from './config';
import { createQrLogin } from './app';
import { createLogger } from './log';

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
  const logger = createLogger(config.LOG_LEVEL);
  const qrlogin = await createQrLogin({ config, logger });
  const server = createServer(qrlogin.app.callback());
  await qrlogin.attach(server);
  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  logger.info({ port, host: config.HOST, publicUrl: config.publicUrl }, `qrlogin listening on http://${config.HOST}:${port}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.warn('shutdown took too long; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    deadline.unref();
    server.close();
    await qrlogin.close();
    server.closeAllConnections();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`qrlogin failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
