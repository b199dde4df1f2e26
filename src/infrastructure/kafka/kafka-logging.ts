import { logLevel, LogEntry } from 'kafkajs';
import type { Logger } from '../logging/logger';

const CONCURRENT_TRANSACTIONS = /another concurrent operation on the same transaction/;

/** Routes kafkajs's own logging into the process's structured logger. */
export function kafkaLogCreator(logger: Logger) {
  const log = logger.child({ component: 'kafkajs' });
  return () =>
    ({ namespace, level, log: entry }: LogEntry) => {
      const { message, ...extra } = entry;
      const fields = { namespace, ...extra };
      // kafkajs logs every error response at the connection layer, including retriable ones it
      // goes on to retry (e.g. CONCURRENT_TRANSACTIONS right after a commit); the operation that
      // finally fails logs again with its context, so these are only worth a debug line.
      if (namespace === 'Connection' && level === logLevel.ERROR) return log.debug(fields, message);
      // The producer's retrier logs each attempt too; CONCURRENT_TRANSACTIONS is the coordinator
      // finishing the previous commit and is expected at every back-to-back transaction.
      if (level === logLevel.ERROR && CONCURRENT_TRANSACTIONS.test(message))
        return log.debug(fields, message);
      switch (level) {
        case logLevel.ERROR:
        case logLevel.NOTHING:
          return log.error(fields, message);
        case logLevel.WARN:
          return log.warn(fields, message);
        case logLevel.INFO:
          return log.info(fields, message);
        case logLevel.DEBUG:
          return log.debug(fields, message);
        default:
          return log.trace(fields, message);
      }
    };
}

export function kafkaLogLevel(level: string): logLevel {
  if (level === 'debug' || level === 'trace') return logLevel.DEBUG;
  if (level === 'info') return logLevel.INFO;
  if (level === 'silent') return logLevel.NOTHING;
  // kafkajs INFO is chatty (every join/sync); at warn and above keep it quiet.
  return logLevel.WARN;
}
