import { Command, InvalidArgumentError, Option } from 'commander';
import {
  type DeadLetterEntry,
  deadLetterTopicsOf,
  type DeadLetterTopics,
  listDeadLetters,
  redrive,
  type Redriven,
} from '../eventing/dead-letters';
import { cliEnv, cliKafka, explain, KAFKA_VARIABLES, validPrefix } from './replay';

/** `sentinel dlq ...`: what the command processor parked, and putting it back (DESIGN.md §1.6). */
export const dlqCommand = new Command('dlq').description(
  'dead letters: list what was parked and why; redrive it once the cause is fixed',
);

const out = (line = '') => process.stdout.write(`${line}\n`);
const prefixOption = () =>
  new Option(
    '--topic-prefix <prefix>',
    'topic prefix (default: SENTINEL_TOPIC_PREFIX or sentinel)',
  ).argParser(validPrefix);

/** Runs `work` against Kafka and the dead-letter topic, always closing the connections. */
async function withDlq<T>(
  topicPrefix: string | undefined,
  work: (messaging: ReturnType<typeof cliKafka>, topics: DeadLetterTopics) => Promise<T>,
): Promise<T> {
  const env = cliEnv(KAFKA_VARIABLES);
  const messaging = cliKafka(env);
  const topics = deadLetterTopicsOf(topicPrefix ?? env.SENTINEL_TOPIC_PREFIX);
  try {
    return await work(messaging, topics);
  } catch (error) {
    throw explain(error, { brokers: env.SENTINEL_KAFKA_BROKERS, topic: topics.dlq });
  } finally {
    await messaging.close();
  }
}

dlqCommand
  .command('list')
  .description('every dead letter, oldest first: offset, when, why, where it came from, what it was')
  .option('--json', 'print one JSON document')
  .addOption(prefixOption())
  .action(async (opts: { json?: boolean; topicPrefix?: string }) => {
    await withDlq(opts.topicPrefix, async (messaging, { dlq }) => {
      const entries = await listDeadLetters(messaging, dlq);
      if (opts.json) {
        out(JSON.stringify({ topic: dlq, deadLetters: entries.map(summary) }, null, 2));
        return;
      }
      out(entries.length ? `${entries.length} dead letter(s) in ${dlq}` : `no dead letters in ${dlq}`);
      for (const e of entries) {
        const from = e.source ? `${e.source.topic}/${e.source.partition}/${e.source.offset}` : '?';
        const what = [e.commandType, e.commandId && `id ${e.commandId}`, e.key !== null && `key ${e.key}`];
        out(`offset ${e.offset}  ${e.failedAt || '?'}  from ${from}  ${what.filter(Boolean).join('  ')}`);
        out(`  reason: ${e.reason}`);
        if (e.redrivenFrom) out(`  (a redrive of ${e.redrivenFrom} that failed again)`);
      }
    });
  });

dlqCommand
  .command('redrive')
  .description('republish dead letters to their source, byte for byte, once the cause is fixed')
  .addOption(
    new Option('--offset <offset>', 'the dead letter at this offset (see `sentinel dlq list`)')
      .argParser((v) => {
        if (!/^\d+$/.test(v)) throw new InvalidArgumentError('must be a non-negative integer');
        return v;
      })
      .conflicts('all'),
  )
  .option('--all', 'every dead letter on the topic')
  .addOption(prefixOption())
  .addHelpText(
    'after',
    '\nSafe to repeat: a command id already processed is answered as a duplicate and writes no\n' +
      'event; a record that is still unreadable is dead-lettered again with its reason.',
  )
  .action(async (opts: { offset?: string; all?: boolean; topicPrefix?: string }, command: Command) => {
    if (opts.offset === undefined && !opts.all) command.error('say which: --offset <offset> or --all');
    await withDlq(opts.topicPrefix, async (messaging, topics) => {
      const which = opts.all ? 'all' : { offset: opts.offset! };
      const { redriven, skipped } = await redrive(messaging, topics, which);
      for (const r of redriven) out(describe(r));
      for (const { entry, why } of skipped) out(`skipped ${topics.dlq}/0/${entry.offset}: ${why}`);
      out(
        `${redriven.length} record(s) redriven` +
          (redriven.length ? '; the command processor answers them on the command results topic' : ''),
      );
    });
  });

function describe({ from, entry, to }: Redriven): string {
  const what = [
    entry.commandType ?? 'record',
    entry.commandId && `id ${entry.commandId}`,
    `key ${entry.key}`,
  ];
  return (
    `redriven ${from} -> ${to.topic} partition ${to.partition} offset ${to.offset} ` +
    `(${what.filter(Boolean).join(', ')}; it had failed: ${entry.reason})`
  );
}

/** The listing without the raw value (it can be large); its size says it is there. */
function summary(e: DeadLetterEntry) {
  const { letter, ...rest } = e;
  return {
    ...rest,
    headers: letter?.headers ?? null,
    valueBytes: letter?.value ? Buffer.from(letter.value, 'base64').length : null,
  };
}
