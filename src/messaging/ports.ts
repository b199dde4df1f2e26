/**
 * The small ports through which Sentinel talks to its log. Only src/infrastructure/kafka
 * implements them, so the Kafka client can be replaced without touching anything else
 * (DESIGN.md §2). Offsets are decimal strings: Kafka offsets are int64.
 */
export type RecordHeaders = Readonly<Record<string, string>>;

export interface OutgoingRecord {
  readonly topic: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers?: RecordHeaders;
  /** Explicit partition; otherwise the client's default partitioner hashes the key. */
  readonly partition?: number;
}

export type PartitionedRecord = OutgoingRecord & { readonly partition: number };

export interface RecordPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export interface IncomingRecord extends RecordPosition {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: RecordHeaders;
  /** Record timestamp, ms since the epoch, as the broker stored it. */
  readonly timestamp: string;
}

export interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly IncomingRecord[];
}

/**
 * Records could not be published. `retriable`: the log was unavailable (broker down, leader
 * moving) and the same records may be sent again — with the same command id they apply once.
 * The records may or may not have been written.
 */
export class PublishFailed extends Error {
  readonly code = 'PUBLISH_FAILED';
  constructor(
    message: string,
    readonly retriable: boolean,
  ) {
    super(message);
    this.name = 'PublishFailed';
  }
}

/** Idempotent producer for records that are not part of a consume-transform-produce step. */
export interface Publisher {
  publish(records: readonly OutgoingRecord[]): Promise<RecordPosition[]>;
}

export interface ConsumerSpec {
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Where a group with no committed offset starts. */
  readonly fromBeginning: boolean;
  /**
   * How often the group's offsets are committed, in ms (default 1000); `null` never commits them,
   * for a group used once and only from the moment it joins.
   */
  readonly offsetCommitIntervalMs?: number | null;
}

/** The open transaction of one batch: what is sent here commits with the batch's offsets. */
export interface BatchTransaction {
  /**
   * Sends inside the transaction, to explicit partitions (co-partitioned topics keep an
   * aggregate on one partition number). Positions are final only if the transaction commits.
   */
  send(records: readonly PartitionedRecord[]): Promise<RecordPosition[]>;
  /** Runs after the transaction committed (never if it aborted): apply staged state here. */
  onCommit(callback: () => void): void;
}

/**
 * Exactly-once consume-transform-produce: everything `handle` sends for a batch, and the
 * batch's input position (see `inputPositions`), commit in one Kafka transaction, by a transactional producer owned by
 * the input partition (so a rebalance fences a zombie). If `handle` or the commit fails, the
 * transaction aborts and the batch is delivered again.
 */
export interface TransactionalProcessorSpec extends ConsumerSpec {
  /**
   * Resolves with how many of the batch's records (from the first) this transaction took, when
   * not all: the rest go in the next transaction. Only in `output` mode, where the handler keeps
   * its own input position.
   */
  handle(batch: PartitionBatch, tx: BatchTransaction): Promise<number | void>;
  /** At most this many records are handed to one call of `handle` (default: the whole batch). */
  maxRecordsPerTransaction?: number;
  /**
   * Where a batch's input position commits with its outputs:
   * - `transaction` (default): the group's offsets, sent inside the transaction;
   * - `output`: the handler writes the position into its own output (a changelog it restores on
   *   claim) and skips records before it; the group's offsets are committed after the
   *   transaction, at most once a second, only as the place fetching resumes. Two requests
   *   fewer per transaction (ADR 0010).
   */
  inputPositions?: 'transaction' | 'output';
  /** Called before the first batch of each partition after every (re)assignment. */
  onPartitionClaimed?(topic: string, partition: number): Promise<void>;
  /** Called when the group rebalances: state of partitions this member may have lost is void. */
  onRebalance?(): void;
}

/**
 * At-least-once consumption, reading only committed records. Offsets are committed after
 * `handle` resolves; consumers that must not apply twice keep their own checkpoint
 * (projections do, in the same Postgres transaction as their rows).
 */
/**
 * At-least-once: a batch's offsets are committed at most a second after `handle` resolves, so
 * after a crash up to that second is delivered again. Handlers must be idempotent.
 */
export interface SubscriberSpec extends ConsumerSpec {
  handle(batch: PartitionBatch): Promise<void>;
  /** Called each time this member has joined the group and received its partitions. */
  onJoined?(): void;
}

export interface Subscription {
  stop(): Promise<void>;
}

export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  readonly config?: Readonly<Record<string, string>>;
}

/**
 * The only writer of its transactional id: creating one fences every earlier one with the same
 * id (their next send fails), so two processes cannot interleave writes silently.
 */
export interface ExclusivePublisher {
  /** Sends in one transaction: all records are written, or none. */
  publish(records: readonly PartitionedRecord[]): Promise<RecordPosition[]>;
  close(): Promise<void>;
}

export interface Messaging {
  publisher(): Publisher;
  /** A transactional producer with this id, initialised (earlier ones fenced) when it resolves. */
  exclusivePublisher(transactionalId: string): Promise<ExclusivePublisher>;
  runTransactional(spec: TransactionalProcessorSpec): Promise<Subscription>;
  subscribe(spec: SubscriberSpec): Promise<Subscription>;
  ensureTopics(topics: readonly TopicSpec[]): Promise<void>;
  /**
   * Reads the committed records of one partition from its start to its current end, e.g. to
   * restore state from a compacted changelog; resolves when the end is reached.
   */
  readPartition(
    topic: string,
    partition: number,
    onRecord: (record: IncomingRecord) => void,
  ): Promise<number>;
  /**
   * The committed records at the given offsets of one partition, in offset order, read without
   * a consumer group and only from the lowest to the highest offset asked for (e.g. one
   * aggregate's events located by the audit read model). Offsets holding no committed record
   * (aborted, a transaction marker, past the end) are absent from the result.
   */
  readRecords(topic: string, partition: number, offsets: readonly string[]): Promise<IncomingRecord[]>;
  /**
   * The partition a keyed record without an explicit partition goes to: the producers' own
   * default partitioner (murmur2 of the key modulo the topic's partition count, as the Java
   * client does), so it is where an aggregate's commands, and therefore its events, are.
   */
  partitionOf(topic: string, key: string): Promise<number>;
  /** How many partitions a topic has (fails naming the topic when it does not exist). */
  partitionCount(topic: string): Promise<number>;
  /** Reachability check for /readyz: resolves with the number of brokers. */
  ping(): Promise<{ brokers: number }>;
  /** Stops every consumer (letting in-flight batches finish) and then every producer. */
  close(): Promise<void>;
}
