import { type Command, InvalidArgumentError, Option } from 'commander';
import type { TimeWindow } from '../audit/log-verify';
import { cliEnv, cliKafka, explain, KAFKA_VARIABLES, validPrefix } from './replay';

/** What the `sentinel audit` commands share (issue 7, docs/adr/0008). */
export const EXIT_PROBLEMS = 1;
export const EXIT_COULD_NOT_RUN = 2;

export const out = (line = '') => process.stdout.write(`${line}\n`);
export const err = (line = '') => process.stderr.write(`${line}\n`);

export const instantArg = (value: string): string => {
  if (!/(Z|[+-]\d\d:\d\d)$/.test(value) || Number.isNaN(Date.parse(value)))
    throw new InvalidArgumentError('must be an ISO 8601 instant with a zone, e.g. 2026-11-27T10:00:00Z');
  return value;
};
export const collect = (value: string, previous: string[]) => [...previous, value];
export const prefixOption = () =>
  new Option(
    '--topic-prefix <prefix>',
    'topic prefix (default: SENTINEL_TOPIC_PREFIX or sentinel)',
  ).argParser(validPrefix);
export const windowOf = (opts: { from?: string; to?: string }): TimeWindow => ({
  ...(opts.from ? { from: Date.parse(opts.from) } : {}),
  ...(opts.to ? { to: Date.parse(opts.to) } : {}),
});

/** Usage errors and failures to run exit 2, so 1 always means "problems found". */
export const exitTwo = (command: Command) =>
  command.exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : EXIT_COULD_NOT_RUN));

/** Runs an audit action; anything thrown means it could not run (exit 2), with what to do next. */
export async function auditRun(
  work: (messaging: ReturnType<typeof cliKafka>, env: ReturnType<typeof kafkaEnv>) => Promise<boolean>,
): Promise<void> {
  let env: ReturnType<typeof kafkaEnv>;
  try {
    env = kafkaEnv();
  } catch (error) {
    err(`sentinel: ${(error as Error).message}`);
    process.exit(EXIT_COULD_NOT_RUN);
  }
  const messaging = cliKafka(env);
  try {
    const ok = await work(messaging, env);
    process.exitCode = ok ? 0 : EXIT_PROBLEMS;
  } catch (error) {
    err(`sentinel: ${explain(error, { brokers: env.SENTINEL_KAFKA_BROKERS }).message}`);
    process.exitCode = EXIT_COULD_NOT_RUN;
  } finally {
    await messaging.close();
  }
}
const kafkaEnv = () => cliEnv(KAFKA_VARIABLES);

/** Progress for long runs, on stderr: records read per partition, then the rate. */
export function progress() {
  const started = process.hrtime.bigint();
  let records = 0;
  return {
    onProgress: (p: { topic: string; partition: number; records: number }) => {
      records += p.records;
      err(`read ${p.topic}/${p.partition}: ${p.records} record(s)`);
    },
    done: (what: string) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      err(
        `${what} ${records} record(s) in ${seconds.toFixed(1)} s (${Math.round(records / Math.max(seconds, 1e-3))} records/s)`,
      );
    },
  };
}
