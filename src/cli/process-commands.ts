import { Command } from 'commander';
import { startCommandProcessor, prepareWriteSide } from '../eventing/write-side';
import { loadConfig } from '../infrastructure/config/config';
import { KafkaMessaging } from '../infrastructure/kafka/kafka-messaging';
import { createLogger } from '../infrastructure/logging/logger';
import { AvroRegistry } from '../infrastructure/schema-registry/avro-registry';

/** `sentinel process-commands`: the command processor role on its own (DESIGN.md §8). */
export const processCommands = new Command('process-commands')
  .description('run only the command processor; scale out by starting more (up to one per partition)')
  .action(async () => {
    const config = loadConfig();
    const logger = createLogger(config.logLevel).child({ role: 'command-processor' });
    const messaging = new KafkaMessaging({ ...config.kafka, logger, logLevel: config.logLevel });
    const writeSide = await prepareWriteSide(config, messaging, new AvroRegistry(config.schemaRegistry.url));
    const processor = await startCommandProcessor(config, logger, messaging, writeSide);
    logger.info(
      { topics: writeSide.topics.commands, partitions: config.eventing.partitions },
      'command processor running',
    );
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        logger.info({ signal }, 'stopping: finishing the batch in flight');
        void processor
          .stop()
          .then(() => messaging.close())
          .then(resolve);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    logger.info('command processor stopped');
  });
