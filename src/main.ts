import 'reflect-metadata';
import { ConfigError, loadConfig, redact } from './infrastructure/config/config';
import { createLogger } from './infrastructure/logging/logger';
import { createApp } from './http/bootstrap';

/** Exit code for a configuration error (sysexits EX_CONFIG), so supervisors can tell it apart. */
const EX_CONFIG = 78;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`sentinel: ${error.message}\n`);
      process.exit(EX_CONFIG);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled promise rejection'));
  const app = await createApp(config, logger);
  await app.listen(config.http.port, config.http.host);
  logger.info(
    { url: `http://${config.http.host}:${config.http.port}`, config: redact(config) },
    'sentinel started',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`sentinel: failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
