import type { PartitionMetadata, Producer } from 'kafkajs';
import type { OutgoingRecord, PartitionedRecord, Publisher, RecordPosition } from '../../messaging/ports';
import { asPublishFailed } from './errors';
import { keyPartition } from './partitioning';
import { positions, toTopicMessages } from './records';

interface Pending {
  records: readonly OutgoingRecord[];
  resolve(positions: RecordPosition[]): void;
  reject(error: unknown): void;
}

/** Keeps one produce request under the broker's default 1 MiB batch limit with room for headers. */
const MAX_BATCH_BYTES = 512 * 1024;
const MAX_BATCH_RECORDS = 1000;

/**
 * An idempotent producer allows one request in flight, so sending each caller's records alone
 * caps throughput at one round trip per command. Instead, whatever callers publish while a
 * request is in flight goes out together in the next one: batches grow with load and a lone
 * caller still pays a single round trip. Records get explicit partitions (the partitioner the
 * producer itself would use) so each caller's offsets can be read off the broker's answer.
 */
export class BatchingPublisher implements Publisher {
  private readonly queue: Pending[] = [];
  private sending = false;
  private roundRobin = 0;

  constructor(
    private readonly producer: Producer,
    private readonly partitionsOf: (topic: string) => Promise<PartitionMetadata[]>,
  ) {}

  publish(records: readonly OutgoingRecord[]): Promise<RecordPosition[]> {
    if (records.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ records, resolve, reject });
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.sending || this.queue.length === 0) return;
    this.sending = true;
    const batch = this.take();
    try {
      const placed = await this.place(batch.flatMap((p) => p.records));
      const metadata = await this.producer.sendBatch({ acks: -1, topicMessages: toTopicMessages(placed) });
      const all = positions(placed, metadata);
      let next = 0;
      for (const p of batch) p.resolve(all.slice(next, (next += p.records.length)));
    } catch (error) {
      const failure = asPublishFailed(error);
      for (const p of batch) p.reject(failure);
    } finally {
      this.sending = false;
      void this.flush();
    }
  }

  /** The callers waiting now, up to the size limits (always at least one). */
  private take(): Pending[] {
    let bytes = 0;
    let count = 0;
    let n = 0;
    for (const p of this.queue) {
      const size = p.records.reduce((s, r) => s + (r.value?.length ?? 0) + (r.key?.length ?? 0), 0);
      if (n > 0 && (bytes + size > MAX_BATCH_BYTES || count + p.records.length > MAX_BATCH_RECORDS)) break;
      bytes += size;
      count += p.records.length;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private async place(records: readonly OutgoingRecord[]): Promise<PartitionedRecord[]> {
    return Promise.all(
      records.map(async (r) => {
        if (r.partition !== undefined) return { ...r, partition: r.partition };
        const partitions = await this.partitionsOf(r.topic);
        // Keyless records (e.g. a redriven dead letter that had no key) spread round-robin.
        const partition =
          r.key === null ? this.roundRobin++ % partitions.length : keyPartition(r.topic, r.key, partitions);
        return { ...r, partition };
      }),
    );
  }
}
