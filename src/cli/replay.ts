import { Command, InvalidArgumentError } from 'commander';
import {
  readHistory,
  rebuild,
  type AggregateRecords,
  type Rebuilt,
  type ReplayTarget,
} from '../eventing/replay';
import { type ChainVerification, verifyChain } from '../eventing/replay-verify';
import { type EnvValues, loadVariables } from '../infrastructure/config/config';
import { KafkaMessaging } from '../infrastructure/kafka/kafka-messaging';
import { createLogger } from '../infrastructure/logging/logger';
import { AvroRegistry } from '../infrastructure/schema-registry/avro-registry';
import { loadCatalog } from '../infrastructure/schema-registry/catalog';
import { ContractDecoder } from '../infrastructure/schema-registry/contract-decoder';
import { Upcaster } from '../infrastructure/schema-registry/upcaster';

/** Exit code when the history was read but its hash chain is broken (0 = verified, 1 = error). */
export const EXIT_CHAIN_BROKEN = 3;

/** Validates only the variables an operator command needs (see loadVariables). */
export const cliEnv = loadVariables;

/** What every operator command that talks to Kafka needs. */
export const KAFKA_VARIABLES = [
  'SENTINEL_KAFKA_BROKERS',
  'SENTINEL_KAFKA_CLIENT_ID',
  'SENTINEL_TOPIC_PREFIX',
  'SENTINEL_LOG_LEVEL',
] as const;

/** Kafka for a one-shot command: logs on stderr (stdout is the command's output). */
export function cliKafka(env: EnvValues<(typeof KAFKA_VARIABLES)[number]>): KafkaMessaging {
  // Errors only unless asked: kafkajs warns at every producer start (its partitioner change,
  // idempotent retries), which says nothing to someone running one command.
  const logLevel = process.env.SENTINEL_LOG_LEVEL ? env.SENTINEL_LOG_LEVEL : 'error';
  return new KafkaMessaging({
    brokers: env.SENTINEL_KAFKA_BROKERS,
    clientId: env.SENTINEL_KAFKA_CLIENT_ID,
    logger: createLogger(logLevel, process.stderr),
    logLevel,
  });
}

/** Adds what to do next to the failures an operator can fix: stack down, wrong names. */
export function explain(
  error: unknown,
  where: { brokers: string[]; registry?: string; topic?: string },
): Error {
  const e = error instanceof Error ? error : new Error(String(error));
  const causes = causeChain(e);
  const stack = '(is the stack running? start it with `make stack`)';
  const unknownTopic = causes.some(
    (c) => c.type === 'UNKNOWN_TOPIC_OR_PARTITION' || / does not exist$/.test(c.message),
  );
  if (unknownTopic)
    return new Error(
      `${where.topic ? `topic ${where.topic} does not exist` : e.message}: ` +
        'check --topic-prefix or SENTINEL_TOPIC_PREFIX (Sentinel creates its topics when it starts)',
    );
  if (
    causes.some((c) =>
      /^KafkaJS(Connection|NumberOfRetriesExceeded|RequestTimeout|BrokerNotFound)/.test(c.name),
    )
  )
    return new Error(`${e.message}: Kafka at ${where.brokers.join(',')} did not answer ${stack}`);
  const refused = causes.some((c) => c.code === 'ECONNREFUSED' || c.message === 'fetch failed');
  if (refused && where.registry)
    return new Error(`${e.message}: the schema registry at ${where.registry} did not answer ${stack}`);
  return e;
}

type Cause = Error & { code?: string; type?: string; originalError?: unknown };

/** The error and what caused it: `cause` (standard) and `originalError` (kafkajs's retrier). */
function causeChain(error: Error): Cause[] {
  const chain: Cause[] = [];
  for (let c: unknown = error; c instanceof Error && chain.length < 6; ) {
    chain.push(c);
    c = (c as Cause).cause ?? (c as Cause).originalError;
  }
  return chain;
}

export const validPrefix = (value: string): string => {
  if (!/^[A-Za-z0-9_-]+$/.test(value)) throw new InvalidArgumentError('use letters, digits, _ and - only');
  return value;
};

interface ReplayOptions {
  context: string;
  asOfOffset?: string;
  asOfTime?: string;
  verify?: boolean;
  json?: boolean;
  topicPrefix?: string;
  topic?: string;
}

/** `sentinel replay`: an aggregate's history, its rebuilt state and its hash chain, for auditors. */
export const replayCommand = new Command('replay')
  .description("rebuild an aggregate's state from its events and, with --verify, check its hash chain")
  .argument('<aggregateId>', 'aggregate id, e.g. a deployment id')
  .option('--context <name>', 'bounded context', 'deployments')
  .option('--as-of-offset <offset>', 'stop after this offset of the event topic (inclusive)', (v) => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError('must be a non-negative integer');
    return v;
  })
  .option('--as-of-time <iso>', 'stop before the first event later than this instant (ce_time)')
  .option('--verify', 'recompute every hash and check links and versions')
  .option('--json', 'print one JSON document')
  .option('--topic-prefix <prefix>', 'topic prefix (default: SENTINEL_TOPIC_PREFIX or sentinel)', validPrefix)
  .option('--topic <name>', 'read this event topic instead, e.g. a copy of the log under audit')
  .addHelpText(
    'after',
    '\nExit codes: 0 done (and verified with --verify), 3 hash chain broken, 1 error, 78 configuration.',
  )
  .action(async (aggregateId: string, opts: ReplayOptions) => {
    const env = cliEnv([...KAFKA_VARIABLES, 'SENTINEL_SCHEMA_REGISTRY_URL']);
    const registry = env.SENTINEL_SCHEMA_REGISTRY_URL.replace(/\/+$/, '');
    const brokers = env.SENTINEL_KAFKA_BROKERS;
    const messaging = cliKafka(env);
    // Decode only, never register: replay must not change anything, the registry included.
    const decoder = new ContractDecoder(new AvroRegistry(registry), new Upcaster(loadCatalog()));
    const codec = {
      decode: async (value: Buffer) => {
        const d = await decoder.decode(value);
        return { fullName: d.fullName, data: d.value };
      },
    };
    const target: ReplayTarget = {
      aggregateId,
      context: opts.context,
      topicPrefix: opts.topicPrefix ?? env.SENTINEL_TOPIC_PREFIX,
      ...(opts.topic ? { topic: opts.topic } : {}),
      ...(opts.asOfOffset !== undefined ? { asOfOffset: opts.asOfOffset } : {}),
      ...(opts.asOfTime !== undefined ? { asOfTime: opts.asOfTime } : {}),
    };
    try {
      const history = await readHistory({ messaging, codec }, target);
      if (history.records.length === 0 && history.later === 0) {
        throw new Error(
          `no events of ${aggregateId} in ${history.topic} partition ${history.partition}: ` +
            'check the aggregate id, --context and --topic-prefix',
        );
      }
      const verification = opts.verify ? verifyChain(history.records) : undefined;
      const rebuilt = await rebuild(history, codec).catch((error: Error) => {
        // A tampered record may not even decode: the verification still says what is wrong.
        if (verification && !verification.ok) return error;
        throw error;
      });
      const print = opts.json ? printJson : printText;
      print(history, target, rebuilt, verification);
      if (verification && !verification.ok) process.exitCode = EXIT_CHAIN_BROKEN;
    } catch (error) {
      throw explain(error, { brokers, registry });
    } finally {
      await messaging.close();
    }
  });

const out = (line = '') => process.stdout.write(`${line}\n`);

function printText(
  history: AggregateRecords,
  target: ReplayTarget,
  rebuilt: Rebuilt | Error,
  verification?: ChainVerification,
) {
  const asOf = [
    target.asOfOffset !== undefined ? `offset ${target.asOfOffset}` : '',
    target.asOfTime ? `time ${target.asOfTime}` : '',
  ].filter(Boolean);
  const later = history.later ? `; ${history.later} later event(s) not replayed` : '';
  out(
    `${history.context.name} ${history.aggregateId}: ${history.records.length} event(s) in ` +
      `${history.topic} partition ${history.partition}${asOf.length ? ` as of ${asOf.join(' and ')}` : ''}${later}`,
  );
  if (rebuilt instanceof Error) out(`state not rebuilt: ${rebuilt.message}`);
  else printHistory(rebuilt, verification?.ok === false);
  if (verification) printVerdict(verification);
}

function printHistory(rebuilt: Rebuilt, broken: boolean) {
  const width = Math.max(...rebuilt.events.map((e) => e.type.length), 0);
  for (const e of rebuilt.events)
    out(`  v${e.version}  ${e.time}  ${e.type.padEnd(width)}  ${e.actor}  offset ${e.offset}`);
  // Said before the state is read: with a broken chain it is not the state of record.
  const unverified = broken ? ' (UNVERIFIED: the hash chain is broken, see below)' : '';
  out(`state at version ${rebuilt.version}${unverified}:`);
  out(JSON.stringify(rebuilt.state, null, 2));
}

function printVerdict(verification: ChainVerification) {
  if (verification.ok) {
    out(
      `chain verified: ${verification.checked} event(s), every hash recomputes and links back to genesis; ` +
        `head ${verification.head}`,
    );
    return;
  }
  out(`chain BROKEN: ${verification.problems.length} problem(s) in ${verification.checked} event(s)`);
  for (const p of verification.problems)
    out(`  offset ${p.offset} version ${p.version ?? '?'}: ${p.problem} (${p.detail})`);
}

function printJson(
  history: AggregateRecords,
  target: ReplayTarget,
  rebuilt: Rebuilt | Error,
  verification?: ChainVerification,
) {
  const doc = {
    aggregateId: history.aggregateId,
    context: history.context.name,
    topic: history.topic,
    partition: history.partition,
    asOf: { offset: target.asOfOffset ?? null, time: target.asOfTime ?? null },
    later: history.later,
    ...(rebuilt instanceof Error
      ? { events: null, state: null, version: null, error: rebuilt.message }
      : { events: rebuilt.events, state: rebuilt.state, version: rebuilt.version }),
    ...(verification ? { verification } : {}),
  };
  out(JSON.stringify(doc, null, 2));
}
