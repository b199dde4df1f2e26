import type { Kafka, KafkaMessage } from 'kafkajs';
import type { IncomingRecord } from '../../messaging/ports';
import { toPartitionBatch } from './records';

/**
 * Reads given records of one partition by offset, with raw Fetch requests to the partition's
 * leader (issue 7, state as of a time). A consumer group costs a join per read (hundreds of ms);
 * a Fetch is one round trip. kafkajs exposes neither its cluster nor its fetch-batch filter, so
 * this module reaches them through kafkajs 2.2's internals (the version is pinned in
 * package.json): the Kafka instance's private cluster factory and `consumer/batch`, which drops
 * aborted transactional data and control records exactly as kafkajs's own consumer does.
 *
 * Only committed records are read: READ_COMMITTED makes the broker stop at the last stable
 * offset and list the aborted transactions, which the batch filter removes.
 */

const READ_COMMITTED = 1;
/**
 * Per fetch: the broker always returns the whole first record batch, however small the limit
 * (KIP-74), and nothing more: one batch per fetch, so batches between wanted offsets are skipped.
 */
const FETCH_BYTES = 1;
/** Chains of fetches in flight at once, on the leader's one fetch connection. */
const PARALLEL = 16;

interface PartitionData {
  readonly partition: number;
  readonly errorCode: number;
  readonly highWatermark: string;
  readonly lastStableOffset?: string;
}

interface FetchResponse {
  readonly responses: { topicName: string; partitions: PartitionData[] }[];
}

interface Broker {
  fetch(request: {
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<FetchResponse>;
}

interface Cluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadataIfNecessary(): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(node: { nodeId: string }): Promise<Broker>;
}

interface KafkaBatch {
  readonly messages: KafkaMessage[];
  isEmptyIncludingFiltered(): boolean;
  lastOffset(): string;
}

type BatchConstructor = new (topic: string, fetchedOffset: string, data: PartitionData) => KafkaBatch;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Batch = require('kafkajs/src/consumer/batch') as BatchConstructor;

function privateClusterFactory(kafka: Kafka) {
  const symbol = Object.getOwnPropertySymbols(kafka).find(
    (s) => s.description === 'private:Kafka:createCluster',
  );
  const factory = symbol && (kafka as unknown as Record<symbol, unknown>)[symbol];
  if (typeof factory !== 'function')
    throw new Error('this kafkajs version has no cluster factory; the record reader needs kafkajs 2.2');
  return factory as (options: Record<string, unknown>) => Cluster;
}

export class RecordReader {
  private cluster?: Promise<Cluster>;

  constructor(private readonly kafka: Kafka) {}

  /**
   * The committed records at `offsets` of one partition, in offset order. Offsets that hold no
   * committed record (aborted, a control record, past the end) are simply absent.
   */
  async read(topic: string, partition: number, offsets: readonly string[]): Promise<IncomingRecord[]> {
    const wanted = [...new Set(offsets.map((o) => BigInt(o)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (wanted.length === 0) return [];
    const broker = await this.leader(topic, partition);
    const found = new Map<bigint, KafkaMessage>();
    // The first fetch alone: kafkajs opens the broker's fetch connection on first use, and fetches
    // racing to open it would each open a socket and leave all but one behind.
    await readSpan(broker, topic, partition, wanted.slice(0, 1), found);
    const lanes = lanesOf(wanted.slice(1), PARALLEL);
    await Promise.all(lanes.map((lane) => readSpan(broker, topic, partition, lane, found)));
    const messages = wanted.flatMap((o) => found.get(o) ?? []);
    return [...toPartitionBatch(topic, partition, messages).records];
  }

  async close(): Promise<void> {
    const cluster = this.cluster;
    this.cluster = undefined;
    await (await cluster?.catch(() => undefined))?.disconnect();
  }

  private async leader(topic: string, partition: number): Promise<Broker> {
    this.cluster ??= (async () => {
      const cluster = privateClusterFactory(this.kafka)({
        allowAutoTopicCreation: false,
        isolationLevel: READ_COMMITTED,
        metadataMaxAge: 300_000,
      });
      await cluster.connect();
      return cluster;
    })().catch((error: unknown) => {
      this.cluster = undefined;
      throw error;
    });
    const cluster = await this.cluster;
    await cluster.addTargetTopic(topic);
    await cluster.refreshMetadataIfNecessary();
    const leaders = cluster.findLeaderForPartitions(topic, [partition]);
    const nodeId = Object.keys(leaders).find((id) => leaders[id]!.includes(partition));
    if (nodeId === undefined) throw new Error(`partition ${topic}/${partition} has no leader`);
    return cluster.findBroker({ nodeId });
  }
}

/** Sorted offsets cut into at most `count` runs of neighbours, read in parallel. */
function lanesOf(sorted: readonly bigint[], count: number): bigint[][] {
  const size = Math.ceil(sorted.length / count);
  const lanes: bigint[][] = [];
  for (let i = 0; i < sorted.length; i += size) lanes.push(sorted.slice(i, i + size));
  return lanes;
}

/**
 * Fetches the record batch holding the span's first offset, then the one holding the next offset
 * that batch did not cover, and so on: the batches between two wanted offsets are never read,
 * and a batch holding several of them is read once.
 */
async function readSpan(
  broker: Broker,
  topic: string,
  partition: number,
  span: readonly bigint[],
  found: Map<bigint, KafkaMessage>,
): Promise<void> {
  const wanted = new Set(span);
  for (let next = span[0]; next !== undefined; ) {
    const batch = await fetchAt(broker, topic, partition, next);
    // Out of range: nothing committed there (past the end, or before a truncated start).
    const covered = batch === 'out of range' ? next : BigInt(batch.lastOffset());
    if (batch !== 'out of range') {
      if (batch.isEmptyIncludingFiltered()) return;
      keep(batch.messages, wanted, found);
    }
    next = span.find((o) => o > covered);
  }
}

function keep(
  messages: readonly KafkaMessage[],
  wanted: ReadonlySet<bigint>,
  found: Map<bigint, KafkaMessage>,
) {
  for (const m of messages) if (wanted.has(BigInt(m.offset))) found.set(BigInt(m.offset), m);
}

async function fetchAt(
  broker: Broker,
  topic: string,
  partition: number,
  offset: bigint,
): Promise<KafkaBatch | 'out of range'> {
  const fetchOffset = offset.toString();
  let response: FetchResponse;
  try {
    response = await broker.fetch({
      isolationLevel: READ_COMMITTED,
      maxWaitTime: 0,
      minBytes: 1,
      maxBytes: FETCH_BYTES,
      topics: [{ topic, partitions: [{ partition, fetchOffset, maxBytes: FETCH_BYTES }] }],
    });
  } catch (error) {
    if ((error as { type?: string }).type === 'OFFSET_OUT_OF_RANGE') return 'out of range';
    throw error;
  }
  const data = response.responses
    .find((r) => r.topicName === topic)
    ?.partitions.find((p) => p.partition === partition);
  if (!data) throw new Error(`the fetch of ${topic}/${partition}@${fetchOffset} returned no partition data`);
  return new Batch(topic, fetchOffset, data);
}
