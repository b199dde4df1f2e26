import type { Kafka, KafkaMessage } from 'kafkajs';
import type { IncomingRecord } from '../../messaging/ports';
import { rawFetch, type RawFetchRequest, type RawPartitionData } from './raw-fetch';
import { scanRecordSet } from './record-batch';
import { LogLayout } from './record-fetch-plan';
import { toPartitionBatch } from './records';

/**
 * Reads given records of one partition by offset, with raw Fetch requests to the partition's
 * leader (issue 7, state as of a time). A consumer group costs a join per read (hundreds of ms);
 * a Fetch is one round trip. kafkajs exposes no cluster to fetch from, so this module reaches its
 * private cluster factory (kafkajs 2.2, pinned in package.json); the Fetch itself is ours
 * (raw-fetch.ts), and its record set is walked without decoding what is not wanted
 * (record-batch.ts).
 *
 * Only committed records are read: READ_COMMITTED makes the broker stop at the last stable
 * offset and list the aborted transactions, whose records the batch walk drops.
 */

const READ_COMMITTED = 1;

export interface ReadTuning {
  /** Chains of fetches in flight at once, spread over the connections. */
  readonly lanes: number;
  /**
   * Independent connections to the leader, each a private kafkajs cluster of its own: a broker
   * answers one connection's requests strictly in order, so one connection serialises them all.
   */
  readonly connections: number;
  /**
   * A fixed byte limit per fetch, the wanted offsets cut into `lanes` runs of neighbours, instead
   * of record-fetch-plan.ts's sizes and runs: to measure one against the other.
   */
  readonly fetchBytes?: number;
}

/**
 * Measured with record-fetch-plan.ts's sizes: 16 lanes were no faster, and hold more in flight.
 * bench/audit-as-of.ts, 500 records per batch: 4 connections halved p50 (~25-36 ms against
 * ~48-98 ms on one) and cut p99 (~127-136 ms against ~129-218 ms); 2 did less, 3 about as well;
 * with 20 records per batch the runs were too noisy to tell any count from one.
 */
const DEFAULT_TUNING: ReadTuning = { lanes: 8, connections: 4 };

interface Cluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadataIfNecessary(): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(node: { nodeId: string }): Promise<object>;
}

function privateClusterFactory(kafka: Kafka) {
  const symbol = Object.getOwnPropertySymbols(kafka).find(
    (s) => s.description === 'private:Kafka:createCluster',
  );
  const factory = symbol && (kafka as unknown as Record<symbol, unknown>)[symbol];
  if (typeof factory !== 'function')
    throw new Error('this kafkajs version has no cluster factory; the record reader needs kafkajs 2.2');
  return factory as (options: Record<string, unknown>) => Cluster;
}

/**
 * One private kafkajs cluster, which keeps its own broker connections: its fetches queue on its
 * own fetch connection to the leader, apart from the other clusters'. Every fetch ends: kafkajs
 * times out the connect and each request, and fails what is pending when a socket closes.
 */
class LeaderConnection {
  private cluster?: Promise<Cluster>;
  private open = false;
  private opening?: Promise<unknown>;
  private closed = false;

  constructor(private readonly kafka: Kafka) {}

  async leader(topic: string, partition: number): Promise<object> {
    // A cluster made after close() would never be disconnected.
    if (this.closed) throw new Error('the record reader is closed');
    // A failed setup is dropped, so the next read tries again.
    this.cluster ??= this.connect().catch((error: unknown) => {
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

  /**
   * A fetch, alone while the connection is not known open: kafkajs opens the broker's fetch
   * connection on first use (and again after it closed), and fetches racing to open it would each
   * open a socket and leave all but one behind. A failure makes the next fetch go alone again.
   */
  async fetch(broker: object, request: RawFetchRequest): Promise<RawPartitionData | undefined> {
    while (!this.open && this.opening) await this.opening.catch(() => undefined);
    // After close() kafkajs would reopen the sockets on the next send.
    if (this.closed) throw new Error('the record reader is closed');
    const fetched = rawFetch(broker, request);
    if (!this.open) this.opening = fetched;
    try {
      const data = await fetched;
      this.open = true;
      return data;
    } catch (error) {
      this.open = false;
      throw error;
    } finally {
      if (this.opening === fetched) this.opening = undefined;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await (await this.cluster?.catch(() => undefined))?.disconnect();
  }

  private async connect(): Promise<Cluster> {
    const cluster = privateClusterFactory(this.kafka)({
      allowAutoTopicCreation: false,
      isolationLevel: READ_COMMITTED,
      metadataMaxAge: 300_000,
    });
    await cluster.connect();
    return cluster;
  }
}

/** One read's way to the leader over one connection: fetches, and what they taught of the log. */
interface Span {
  readonly fetch: (request: RawFetchRequest) => Promise<RawPartitionData | undefined>;
  readonly topic: string;
  readonly partition: number;
  readonly tuning: ReadTuning;
  readonly layout: LogLayout;
}

export class RecordReader {
  private connections: LeaderConnection[] = [];

  constructor(
    private readonly kafka: Kafka,
    private readonly tuning: ReadTuning = DEFAULT_TUNING,
  ) {}

  /**
   * The committed records at `offsets` of one partition, in offset order. Offsets that hold no
   * committed record (aborted, a control record, past the end) are simply absent.
   */
  async read(topic: string, partition: number, offsets: readonly string[]): Promise<IncomingRecord[]> {
    const wanted = [...new Set(offsets.map((o) => BigInt(o)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (wanted.length === 0) return [];
    const layout = new LogLayout();
    const spans = new Map<number, Promise<Span>>();
    // Each connection's leader is looked up once per read, by the first lane that uses it.
    const spanOf = (lane: number) => {
      const index = lane % Math.max(1, this.tuning.connections);
      if (!spans.has(index)) spans.set(index, this.span(index, topic, partition, layout));
      return spans.get(index)!;
    };
    const found = new Map<string, KafkaMessage>();
    // The first fetch alone, to learn the log's layout before cutting the rest into runs.
    const rest = await readSpan(await spanOf(0), wanted, found, 1);
    const { lanes, fetchBytes } = this.tuning;
    const runs = fetchBytes === undefined ? layout.runs(rest) : lanesOf(rest, lanes);
    await inParallel(runs, lanes, async (run, lane) => readSpan(await spanOf(lane), run, found));
    const messages = wanted.flatMap((o) => found.get(o.toString()) ?? []);
    return [...toPartitionBatch(topic, partition, messages).records];
  }

  async close(): Promise<void> {
    const connections = this.connections;
    this.connections = [];
    await Promise.all(connections.map((c) => c.close()));
  }

  /** Connection `index`, made on first use. */
  private async span(index: number, topic: string, partition: number, layout: LogLayout): Promise<Span> {
    const connection = (this.connections[index] ??= new LeaderConnection(this.kafka));
    const broker = await connection.leader(topic, partition);
    const fetch = (request: RawFetchRequest) => connection.fetch(broker, request);
    return { fetch, topic, partition, tuning: this.tuning, layout };
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
 * `work` on each item, at most `lanes` at a time, in item order; each lane knows its number. After
 * a failure no lane takes another item: the read has failed, and its other fetches would be waste.
 */
async function inParallel<T>(
  items: readonly T[],
  lanes: number,
  work: (item: T, lane: number) => Promise<unknown>,
) {
  let next = 0;
  let failed = false;
  const lane = async (_: unknown, number: number) => {
    try {
      while (!failed && next < items.length) await work(items[next++]!, number);
    } catch (error) {
      failed = true;
      throw error;
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
}

/**
 * Fetches from the span's first offset, then from the next offset the fetched batches did not
 * cover, and so on (at most `fetches` times): what lies between wanted offsets beyond one fetch
 * is never read, and each fetched batch is read once. Returns the offsets left unread.
 */
async function readSpan(
  { fetch, topic, partition, tuning, layout }: Span,
  wanted: readonly bigint[],
  found: Map<string, KafkaMessage>,
  fetches = Infinity,
): Promise<bigint[]> {
  let rest = wanted;
  for (let n = 0; n < fetches && rest.length > 0; n++) {
    const offset = rest[0]!;
    const maxBytes = tuning.fetchBytes ?? layout.fetchBytes(rest);
    const data = await fetch({ topic, partition, offset, maxBytes });
    // Out of range: nothing committed there (past the end, or before a truncated start).
    if (!data) {
      rest = rest.slice(1);
      continue;
    }
    // Nothing at all: the offsets left are at or past the last stable offset.
    if (data.records.length === 0) return [];
    const scan = await scanRecordSet(data.records, rest, data.abortedTransactions);
    layout.learn(scan);
    for (const m of scan.records) found.set(m.offset, m);
    if (scan.end === undefined)
      throw new Error(`the fetch of ${topic}/${partition}@${offset} held no whole batch`);
    // A broker returns batches from the one holding `offset`; were it to return less, `offset`
    // counts as absent, so every fetch makes progress.
    const covered = scan.end > offset ? scan.end : offset;
    rest = rest.filter((o) => o > covered);
  }
  return [...rest];
}
