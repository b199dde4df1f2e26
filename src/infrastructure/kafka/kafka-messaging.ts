import { Admin, Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import type { Logger } from '../logging/logger';
import type {
  ConsumerSpec,
  IncomingRecord,
  Messaging,
  Publisher,
  Subscription,
  SubscriberSpec,
  TopicSpec,
  TransactionalProcessorSpec,
} from '../../messaging/ports';
import { kafkaLogCreator, kafkaLogLevel } from './kafka-logging';
import { asBatchRetry, asPublishFailed } from './errors';
import { readPartition } from './partition-reader';
import { keyPartition } from './partitioning';
import { toPartitionBatch, toTopicMessages } from './records';
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
    return {
      publish: async (records) => {
        const metadata = await producer
          .sendBatch({ acks: -1, topicMessages: toTopicMessages(records) })
          .catch((e: unknown) => {
            throw asPublishFailed(e);
          });
        return metadata.map((m) => ({
          topic: m.topicName,
          partition: m.partition,
          offset: m.baseOffset ?? '-1',
        }));
      },
    };
  }

  async runTransactional(spec: TransactionalProcessorSpec): Promise<Subscription> {
    const producers = new TransactionalProducers(this.kafka, {
      prefix: `${this.options.clientId}-${spec.groupId}`,
      transactionTimeoutMs: this.options.transactionTimeoutMs ?? 30_000,
    });
    // Partitions whose producer is initialised (zombies fenced) and whose owner state is loaded.
    const claimed = new Set<string>();
    const consumer = await this.startConsumer(spec, false, async (payload) => {
      const { batch } = payload;
      const key = `${batch.topic}/${batch.partition}`;
      if (!claimed.has(key)) {
        await producers.claim(batch.topic, batch.partition);
        await spec.onPartitionClaimed?.(batch.topic, batch.partition);
        claimed.add(key);
      }
      const nextOffset = (BigInt(batch.lastOffset()) + 1n).toString();
      const offsets = {
        consumerGroupId: spec.groupId,
        topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: nextOffset }] }],
      };
      try {
        await producers.run(batch.topic, batch.partition, offsets, (tx) =>
          spec.handle(toPartitionBatch(batch.topic, batch.partition, batch.messages), tx),
        );
      } catch (error) {
        // The outcome may be unknown (a commit that timed out may have succeeded): claim the
        // partition again, so its state is restored from what the log really holds.
        claimed.delete(key);
        throw error;
      }
      // Offsets are committed by the transaction; resolving only moves the fetch position.
      payload.resolveOffset(batch.lastOffset());
      await payload.heartbeat();
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
    const consumer = await this.startConsumer(spec, true, async (payload) => {
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
    autoCommit: boolean,
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
      autoCommit,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 4,
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
    await this.checkPartitionCounts(
      admin,
      topics.filter((t) => existing.has(t.topic)),
    );
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

  async partitionOf(topic: string, key: string): Promise<number> {
    const { topics } = await (await this.admin()).fetchTopicMetadata({ topics: [topic] }).catch((e) => {
      throw (e as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION'
        ? new Error(`topic ${topic} does not exist`)
        : e;
    });
    return keyPartition(topic, key, topics.find((t) => t.name === topic)?.partitions ?? []);
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
    this.producers.clear();
    if (this.adminClient) await (await this.adminClient.catch(() => undefined))?.disconnect();
    this.adminClient = undefined;
    this.sharedPublisher = undefined;
  }
}
