/** What the benchmarks share: a real command path on topics of their own, and test data. */
import { spawn } from 'child_process';
import { randomUUID } from 'crypto';
import { join } from 'path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { CommandBus, type Outcome } from '../src/eventing/command-bus';
import { CommandResultsFeed } from '../src/eventing/command-results-feed';
import { deployments } from '../src/eventing/contexts';
import { prepareWriteSide, startCommandProcessor, type WriteSide } from '../src/eventing/write-side';
import { loadConfig } from '../src/infrastructure/config/config';
import { KafkaMessaging } from '../src/infrastructure/kafka/kafka-messaging';
import { createLogger } from '../src/infrastructure/logging/logger';
import { Database } from '../src/infrastructure/postgres/database';
import { migrate } from '../src/infrastructure/postgres/migrations';
import { AvroRegistry } from '../src/infrastructure/schema-registry/avro-registry';
import { freePort } from '../test/support/sentinel-process';

export interface CommandPath {
  readonly prefix: string;
  readonly brokers: string[];
  readonly messaging: KafkaMessaging;
  readonly writeSide: WriteSide;
  /** Sends one deployments command and waits for its outcome. */
  send(type: string, aggregateId: string, data: unknown): Promise<Outcome>;
  /** Stops the processor and the results feed; Kafka stays readable until close(). */
  stopProcessing(): Promise<void>;
  close(): Promise<void>;
}

/** Processor, results feed and sender in this process, on `<name>_<time>` topics. */
export async function startCommandPath(name: string, partitions = 6): Promise<CommandPath> {
  const prefix = `${name}_${Date.now().toString(36)}`;
  const config = loadConfig({
    ...process.env,
    SENTINEL_TOPIC_PREFIX: prefix,
    SENTINEL_PARTITIONS: String(partitions),
    SENTINEL_LOG_LEVEL: 'error',
  });
  const logger = createLogger('error');
  const messaging = new KafkaMessaging({ ...config.kafka, logger, logLevel: 'error' });
  const db = new Database(config.database.url, 4);
  const writeSide = await prepareWriteSide(config, messaging, new AvroRegistry(config.schemaRegistry.url));
  // As in `make up`: processor and API in one process, callers answered as the batch commits.
  const feed = new CommandResultsFeed(messaging, db, writeSide.topics.commandResults, logger);
  const processor = await startCommandProcessor(config, logger, messaging, writeSide, (r) => feed.hear(r));
  await feed.start(prefix);
  const bus = new CommandBus(writeSide.sender, feed, 60_000);
  const stopProcessing = async () => {
    await processor.stop();
    await feed.stop();
  };
  return {
    prefix,
    brokers: config.kafka.brokers,
    messaging,
    writeSide,
    send: (type, aggregateId, data) =>
      bus.dispatch({
        context: deployments,
        type,
        aggregateId,
        actor: 'bench',
        commandId: randomUUID(),
        data,
      }),
    stopProcessing,
    close: async () => {
      await stopProcessing();
      await messaging.close();
      await db.close();
      await dropTopics(config.kafka.brokers, prefix);
    },
  };
}

export function createDeployment(deploymentId: string) {
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

/**
 * Deletes the topics of one run (names starting with its `prefix`): left behind, every run would
 * add partitions (and, for audit-as-of, some 100 MB) that the broker keeps serving and the next
 * runs' numbers carry.
 */
export async function dropTopics(brokers: string[], prefix: string): Promise<void> {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine });
  } finally {
    await admin.disconnect();
  }
}

/** Runs a benchmark's main; a failure exits 2 with what to check. */
export function runBenchmark(main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    process.stderr.write(
      `benchmark failed: ${(e as Error).stack ?? String(e)}\n(is the stack running? make stack)\n`,
    );
    process.exit(2);
  });
}

/**
 * A migrated database of the benchmark's own, so what earlier runs and tests left in the shared
 * one (enabled policies above all: every change is checked against each) cannot skew it.
 */
export async function freshDatabase(
  adminUrl: string,
  name: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = new Database(url.toString(), 2);
  await migrate(db, join(__dirname, '..', '..', '..', 'migrations')).finally(() => db.close());
  return {
    url: url.toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

export interface SentinelProcess {
  readonly url: string;
  readonly pid: number;
  /** SIGTERM, and resolves once the process has exited (and let go of its database). */
  stop(): Promise<void>;
}

/**
 * dist/main.js started as `make up` starts it, with its heap ceiling, on a free port, given
 * `env` over the benchmark's own; resolves once /readyz answers 200.
 */
export async function startSentinel(env: Record<string, string>): Promise<SentinelProcess> {
  const port = await freePort();
  const heap = `--max-old-space-size=${process.env.SENTINEL_MAX_HEAP_MB ?? 256}`;
  const child = spawn(process.execPath, [heap, join(__dirname, '..', '..', '..', 'dist', 'main.js')], {
    env: { ...process.env, SENTINEL_LOG_LEVEL: 'warn', ...env, SENTINEL_HTTP_PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while ((await fetch(`${url}/readyz`).catch(() => undefined))?.status !== 200) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`Sentinel at ${url} was not ready within 60 s (exit code ${child.exitCode})`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, pid: child.pid!, stop };
}
