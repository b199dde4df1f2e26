/**
 * Command write-path benchmark: how many commands per second one command processor turns into
 * committed events, and how long a caller waits for each outcome. Runs against the local stack
 * (`make stack`) on topics of its own. Prints a table with the ceilings it is judged against;
 * exits 1 when a ceiling is missed. Never run as a test.
 */
import { randomUUID } from 'crypto';
import { CommandBus } from '../src/eventing/command-bus';
import { CommandResultsFeed } from '../src/eventing/command-results-feed';
import { deployments } from '../src/eventing/contexts';
import { prepareWriteSide, startCommandProcessor } from '../src/eventing/write-side';
import { loadConfig } from '../src/infrastructure/config/config';
import { KafkaMessaging } from '../src/infrastructure/kafka/kafka-messaging';
import { createLogger } from '../src/infrastructure/logging/logger';
import { Database } from '../src/infrastructure/postgres/database';
import { AvroRegistry } from '../src/infrastructure/schema-registry/avro-registry';

const COMMANDS = Number(process.env.BENCH_COMMANDS ?? 5000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const AGGREGATES = 200;
// Ceilings: what a single processor on a 2-core machine must sustain.
const MIN_THROUGHPUT = 300; // commands per second
const MAX_P99_MS = 1000;

async function main() {
  const prefix = `bench_${Date.now().toString(36)}`;
  const config = loadConfig({
    ...process.env,
    SENTINEL_TOPIC_PREFIX: prefix,
    SENTINEL_PARTITIONS: '6',
    SENTINEL_LOG_LEVEL: 'error',
  });
  const logger = createLogger('error');
  const messaging = new KafkaMessaging({ ...config.kafka, logger, logLevel: 'error' });
  const db = new Database(config.database.url, 4);
  const writeSide = await prepareWriteSide(config, messaging, new AvroRegistry(config.schemaRegistry.url));
  const processor = await startCommandProcessor(config, logger, messaging, writeSide);
  const feed = new CommandResultsFeed(messaging, db, writeSide.topics.commandResults, logger);
  await feed.start(prefix);
  const bus = new CommandBus(writeSide.sender, feed, 60_000);

  const ids = Array.from({ length: AGGREGATES }, (_, i) => `bench-${i}`);
  for (const id of ids) {
    await bus.dispatch({
      context: deployments,
      type: 'CreateDeployment',
      aggregateId: id,
      actor: 'bench',
      data: create(id),
    });
  }
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < COMMANDS) {
        const n = next++;
        const id = ids[n % AGGREGATES]!;
        const t = performance.now();
        const outcome = await bus.dispatch({
          context: deployments,
          type: 'ScaleDeployment',
          aggregateId: id,
          actor: 'bench',
          commandId: randomUUID(),
          data: { deploymentId: id, replicas: 1 + (n % 9) },
        });
        if (outcome.kind !== 'completed') throw new Error(`command ${n} had no outcome within 60 s`);
        latencies.push(performance.now() - t);
        if (n % 1000 === 0) process.stderr.write(`  ${n}/${COMMANDS} commands\n`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await processor.stop();
  await feed.stop();
  await messaging.close();
  await db.close();

  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
  const throughput = COMMANDS / seconds;
  const rows: [string, string, string, boolean][] = [
    ['throughput (commands/s)', throughput.toFixed(0), `>= ${MIN_THROUGHPUT}`, throughput >= MIN_THROUGHPUT],
    ['outcome latency p50 (ms)', pct(50).toFixed(1), '-', true],
    ['outcome latency p99 (ms)', pct(99).toFixed(1), `<= ${MAX_P99_MS}`, pct(99) <= MAX_P99_MS],
    ['outcome latency max (ms)', pct(100).toFixed(1), '-', true],
  ];
  process.stdout.write(
    `\ncommand write path: ${COMMANDS} commands, ${CONCURRENCY} concurrent callers, 6 partitions, 1 processor\n`,
  );
  process.stdout.write(`${'metric'.padEnd(28)}${'measured'.padStart(10)}  ${'ceiling'.padEnd(10)} ok\n`);
  for (const [name, value, ceiling, ok] of rows)
    process.stdout.write(
      `${name.padEnd(28)}${value.padStart(10)}  ${ceiling.padEnd(10)} ${ok ? 'yes' : 'NO'}\n`,
    );
  process.exit(rows.every((r) => r[3]) ? 0 : 1);
}

function create(deploymentId: string) {
  return {
    deploymentId,
    name: deploymentId,
    cluster: 'local-a',
    namespace: 'bench',
    kind: 'Deployment',
    image: 'registry.example/model:1',
    replicas: 1,
    resources: { cpu: '1', memory: '1Gi', gpu: 0 },
    env: {},
    labels: {},
    team: 'bench',
    costPerReplicaHour: 1,
    priorityClass: '',
  };
}

main().catch((e: unknown) => {
  process.stderr.write(
    `benchmark failed: ${(e as Error).stack ?? String(e)}\n(is the stack running? make stack)\n`,
  );
  process.exit(2);
});
