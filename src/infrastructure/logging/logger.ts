import pino, { Logger } from 'pino';

export type { Logger } from 'pino';

/** One JSON logger per process; components take children with their own `component` field. */
export function createLogger(level: pino.LevelWithSilent, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'sentinel', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    },
    // Synchronous writes: the last lines before an exit (shutdown, fatal errors) must not be lost.
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
