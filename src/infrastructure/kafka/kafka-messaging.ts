import {
  Admin,
  ConfigResourceTypes,
  Consumer,
  EachBatchPayload,
  Kafka,
  PartitionMetadata,
  Producer,
} from 'kafkajs';
import type { Logger } from '../logging/logger';
import type {
  ConsumerSpec,
  ExclusivePublisher,
  IncomingRecord,
  Messaging,
  Publisher,
  Subscription,
  SubscriberSpec,
  TopicSpec,
  TransactionalProcessorSpec,
} from '../../messaging/ports';
import { kafkaLogCreator, kafkaLogLevel } from './kafka-logging';
import { BatchingPublisher } from './batching-publisher';
import { asBatchRetry } from './errors';
import { connectExclusivePublisher } from './exclusive-publisher';
import { readPartition } from './partition-reader';
import { RecordReader } from './record-reader';
import { keyPartition } from './partitioning';
import { toPartitionBatch } from './records';
import { TransactionalProducers } from './transactional-producers';

export interface KafkaMessagingOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  logLevel: string;
  /** How long a crashed member holds its partitions before the group moves them. */
  sessionTimeoutMs?: number;
  /** Upper bound on an open transaction; read_committed readers stall behind an open one. */
  transactionTimeoutMs?: number;
}

/** The kafkajs implementation of the messaging ports; the only module that imports kafkajs. */
export class KafkaMessaging implements Messaging {
  private readonly kafka: Kafka;
  private readonly log: Logger;
  private readonly consumers = new Set<Consumer>();
  private readonly producers = new Set<Producer>();
  private sharedPublisher?: Promise<Publisher>;
  private adminClient?: Promise<Admin>;
  private readonly partitionCache = new Map<string, Promise<PartitionMetadata[]>>();
  private readonly recordReader: RecordReader;

  constructor(private readonly options: KafkaMessagingOptions) {
    this.log = options.logger.child({ component: 'kafka' });
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: kafkaLogLevel(options.logLevel),
      logCreator: kafkaLogCreator(options.logger),
      connectionTimeout: 3000,
      retry: { initialRetryTime: 100, retries: 8 },
    });
    this.recordReader = new RecordReader(this.kafka);
  }

  publisher(): Publisher {
    this.sharedPublisher ??= this.connectPublisher();
    const ready = this.sharedPublisher;
    return { publish: async (records) => (await ready).publish(records) };
  }

  private async connectPublisher(): Promise<Publisher> {
    const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    this.producers.add(producer);
    return new BatchingPublisher(producer, (topic) => this.partitions(topic));
  }

  /** A topic's partitions, cached: counts are fixed while Sentinel runs (checked at start). */
  private partitions(topic: string): Promise<PartitionMetadata[]> {
    let cached = this.partitionCache.get(topic);
    if (!cached) {
      cached = this.fetchPartitions(topic);
      cached.catch(() => this.partitionCache.delete(topic));
      this.partitionCache.set(topic, cached);
    }
    return cached;
  }

  private async fetchPartitions(topic: string): Promise<PartitionMetadata[]> {
    const { topics } = await (await this.admin()).fetchTopicMetadata({ topics: [topic] }).catch((e) => {
      throw (e as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION'
        ? new Error(`topic ${topic} does not exist`)
        : e;
    });
    const partitions = topics.find((t) => t.name === topic)?.partitions ?? [];
    if (partitions.length === 0) throw new Error(`topic ${topic} has no partitions in the cluster metadata`);
    return partitions;
  }

  async runTransactional(spec: TransactionalProcessorSpec): Promise<Subscription> {
    const producers = new TransactionalProducers(this.kafka, {
      prefix: `${this.options.clientId}-${spec.groupId}`,
      transactionTimeoutMs: this.options.transactionTimeoutMs ?? 30_000,
    });
    // Partitions whose producer is initialised (zombies fenced) and whose owner state is loaded.
    const claimed = new Set<string>();
    const inTransaction = (spec.inputPositions ?? 'transaction') === 'transaction';
    const consumer = await this.startConsumer(spec, async (payload) => {
      const { batch } = payload;
      const key = `${batch.topic}/${batch.partition}`;
      if (!claimed.has(key)) {
        await producers.claim(batch.topic, batch.partition);
        await spec.onPartitionClaimed?.(batch.topic, batch.partition);
        claimed.add(key);
      }
      // A handler in `output` mode may take only the first records (e.g. to bound a transaction's
      // size): the rest go in the next transaction. In `transaction` mode it takes them all, as
      // the offsets go into the transaction up front.
      for (let rest = batch.messages, first = true; rest.length > 0; first = false) {
        // A rebalance may have taken the partition between two of its transactions.
        if (!first && (!payload.isRunning() || payload.isStale())) return;
        const part = rest.slice(0, spec.maxRecordsPerTransaction ?? rest.length);
        let taken = part.length;
        const next = { partition: batch.partition, offset: (BigInt(part.at(-1)!.offset) + 1n).toString() };
        const offsets = inTransaction
          ? { consumerGroupId: spec.groupId, topics: [{ topic: batch.topic, partitions: [next] }] }
          : undefined;
        try {
          await producers.run(batch.topic, batch.partition, offsets, async (tx) => {
            const n = await spec.handle(toPartitionBatch(batch.topic, batch.partition, part), tx);
            if (typeof n === 'number' && !inTransaction) taken = Math.max(1, Math.min(n, part.length));
          });
        } catch (error) {
          // The outcome may be unknown (a commit that timed out may have succeeded): claim the
          // partition again, so its state is restored from what the log really holds.
          claimed.delete(key);
          throw error;
        }
        rest = rest.slice(taken);
        // Resolving moves the fetch position; the last transaction also passes the control
        // records (transaction markers) after it. In `transaction` mode the offsets are already
        // committed; in `output` mode they are a resume hint, and a failed commit of one (e.g. a
        // rebalance under way) only means a few committed records are skipped again later.
        payload.resolveOffset(rest.length === 0 ? batch.lastOffset() : part[taken - 1]!.offset);
        await payload.heartbeat();
      }
      if (!inTransaction)
        await payload.commitOffsetsIfNecessary().catch((error: unknown) => {
          this.log.debug({ err: error, groupId: spec.groupId }, 'resume-hint offset commit failed');
        });
    });
    // After a rebalance this member may have lost partitions and regained them later: claim again.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      claimed.clear();
      spec.onRebalance?.();
    });
    return {
      stop: async () => {
        await this.stopConsumer(consumer);
        await producers.closeAll();
      },
    };
  }

  async subscribe(spec: SubscriberSpec): Promise<Subscription> {
    const consumer = await this.startConsumer(spec, async (payload) => {
      const { batch } = payload;
      await spec.handle(toPartitionBatch(batch.topic, batch.partition, batch.messages));
      payload.resolveOffset(batch.lastOffset());
      await payload.commitOffsetsIfNecessary();
      await payload.heartbeat();
    });
    return { stop: () => this.stopConsumer(consumer) };
  }

  private async startConsumer(
    spec: ConsumerSpec & { onJoined?(): void },
    eachBatch: (payload: EachBatchPayload) => Promise<void>,
  ): Promise<Consumer> {
    const consumer = this.kafka.consumer({
      groupId: spec.groupId,
      readUncommitted: false,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      // kafkajs requires heartbeats well inside the session timeout.
      heartbeatInterval: Math.min(3000, Math.floor((this.options.sessionTimeoutMs ?? 30_000) / 3)),
      maxWaitTimeInMs: 250,
    });
    this.consumers.add(consumer);
    // Registered before run(): the first join can complete before run() returns.
    if (spec.onJoined) consumer.on(consumer.events.GROUP_JOIN, () => spec.onJoined?.());
    await consumer.connect();
    await consumer.subscribe({ topics: [...spec.topics], fromBeginning: spec.fromBeginning });
    await consumer.run({
      // kafkajs's auto-commit writes the group's offsets after every batch and holds the next
      // fetch until that is acknowledged (~30 ms on Kafka 4.1). Subscribers instead commit at most
      // once a second (or as their spec says) through commitOffsetsIfNecessary — their handlers
      // are idempotent, so a crash re-delivers at most that interval — and transactional
      // processors commit offsets inside their transactions or keep their position in their
      // output (ADR 0010).
      autoCommit: false,
      autoCommitInterval: spec.offsetCommitIntervalMs === undefined ? 1000 : spec.offsetCommitIntervalMs,
      eachBatchAutoResolve: false,
      // Partitions are independent (each has its own producer and state), so one slow
      // partition should not hold back the others of the same fetch.
      partitionsConsumedConcurrently: 8,
      eachBatch: async (payload) => {
        if (payload.batch.isEmpty() || !payload.isRunning() || payload.isStale()) return;
        try {
          await eachBatch(payload);
        } catch (error) {
          const { topic, partition } = payload.batch;
          this.log.error(
            { err: error, groupId: spec.groupId, topic, partition, firstOffset: payload.batch.firstOffset() },
            'batch failed; it will be delivered again',
          );
          throw asBatchRetry(error);
        }
      },
    });
    return consumer;
  }

  private async stopConsumer(consumer: Consumer): Promise<void> {
    if (!this.consumers.delete(consumer)) return;
    // disconnect() waits for the batch in flight, then leaves the group so partitions move at once.
    await consumer.disconnect();
  }

  async ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    const admin = await this.admin();
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.topic,
          numPartitions: t.partitions,
          configEntries: Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
      this.log.info({ topics: missing.map((t) => t.topic) }, 'created topics');
    }
    const present = topics.filter((t) => existing.has(t.topic));
    await this.checkPartitionCounts(admin, present);
    await this.applyChangedSettings(admin, present);
  }

  /** A setting changed in the configuration (e.g. retention) reaches topics created earlier. */
  private async applyChangedSettings(admin: Admin, topics: readonly TopicSpec[]): Promise<void> {
    const wanted = topics.filter((t) => Object.keys(t.config ?? {}).length > 0);
    if (wanted.length === 0) return;
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: wanted.map((t) => ({ type: ConfigResourceTypes.TOPIC, name: t.topic })),
    });
    for (const spec of wanted) {
      const current = new Map(
        resources
          .find((r) => r.resourceName === spec.topic)
          ?.configEntries.map((e) => [e.configName, e.configValue] as const),
      );
      const changed = Object.entries(spec.config!).filter(([name, value]) => current.get(name) !== value);
      if (changed.length === 0) continue;
      // Non-incremental alter replaces the topic's dynamic settings, so send all of Sentinel's:
      // these topics are Sentinel's own and carry no settings from elsewhere.
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: spec.topic,
            configEntries: Object.entries(spec.config!).map(([name, value]) => ({ name, value })),
          },
        ],
      });
      this.log.info(
        { topic: spec.topic, changed: Object.fromEntries(changed) },
        'applied changed topic settings',
      );
    }
  }

  private async checkPartitionCounts(admin: Admin, topics: readonly TopicSpec[]): Promise<void> {
    if (topics.length === 0) return;
    const { topics: described } = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.topic) });
    for (const spec of topics) {
      const actual = described.find((d) => d.name === spec.topic)?.partitions.length;
      if (actual !== spec.partitions) {
        // Co-partitioning of commands, events and snapshots depends on equal counts.
        throw new Error(
          `topic ${spec.topic} has ${actual} partitions but ${spec.partitions} are configured; ` +
            'fix the configuration or repartition the topic',
        );
      }
    }
  }

  async readPartition(
    topic: string,
    partition: number,
    onRecord: (record: IncomingRecord) => void,
  ): Promise<number> {
    return readPartition(this.kafka, await this.admin(), this.options.clientId, topic, partition, onRecord);
  }

  readRecords(topic: string, partition: number, offsets: readonly string[]): Promise<IncomingRecord[]> {
    return this.recordReader.read(topic, partition, offsets);
  }

  async partitionOf(topic: string, key: string): Promise<number> {
    return keyPartition(topic, key, await this.partitions(topic));
  }

  async partitionCount(topic: string): Promise<number> {
    return (await this.partitions(topic)).length;
  }

  /** Not closed by close(): its owner closes it, so a fenced writer can be replaced alone. */
  exclusivePublisher(transactionalId: string): Promise<ExclusivePublisher> {
    return connectExclusivePublisher(this.kafka, transactionalId);
  }

  async ping(): Promise<{ brokers: number }> {
    const { brokers } = await (await this.admin()).describeCluster();
    return { brokers: brokers.length };
  }

  private admin(): Promise<Admin> {
    this.adminClient ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })().catch((e) => {
      this.adminClient = undefined;
      throw e;
    });
    return this.adminClient;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.consumers].map((c) => this.stopConsumer(c)));
    await Promise.allSettled([...this.producers].map((p) => p.disconnect()));
    await this.recordReader.close().catch(() => undefined);
    this.producers.clear();
    if (this.adminClient) await (await this.adminClient.catch(() => undefined))?.disconnect();
    this.adminClient = undefined;
    this.sharedPublisher = undefined;
    this.partitionCache.clear();
  }
}
