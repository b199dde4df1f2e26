import type { Kafka, Offsets, Producer } from 'kafkajs';
import type { BatchTransaction } from '../../messaging/ports';
import { positions, toTopicMessages } from './records';
import { cacheTransactionCoordinators } from './transaction-coordinators';

/**
 * One transactional producer per input partition. Its transactional.id is derived from the
 * partition, so when a rebalance moves the partition the new owner's InitProducerId fences the
 * old owner (a zombie's commit fails) — the pre-KIP-447 model, which is what kafkajs supports.
 */
export class TransactionalProducers {
  private readonly producers = new Map<string, Promise<Producer>>();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: { prefix: string; transactionTimeoutMs: number },
  ) {
    // Two fewer round trips per transaction (see there); its integration test fails if a kafkajs
    // upgrade moves what it reaches.
    cacheTransactionCoordinators();
  }

  private id(topic: string, partition: number): string {
    return `${this.options.prefix}-${topic}-${partition}`;
  }

  /** Initialises the partition's producer now: fences any zombie and aborts its open transaction. */
  async claim(topic: string, partition: number): Promise<void> {
    await this.producer(this.id(topic, partition));
  }

  /**
   * Runs `work` inside one transaction that also commits `offsets`, if given. Batches of one
   * partition arrive one at a time, so a producer never has two transactions open.
   */
  async run(
    topic: string,
    partition: number,
    offsets: (Offsets & { consumerGroupId: string }) | undefined,
    work: (tx: BatchTransaction) => Promise<void>,
  ) {
    const id = this.id(topic, partition);
    const producer = await this.producer(id);
    const txn = await producer.transaction();
    const committed: (() => void)[] = [];
    try {
      await work({
        send: async (records) =>
          positions(records, await txn.sendBatch({ acks: -1, topicMessages: toTopicMessages(records) })),
        onCommit: (callback) => void committed.push(callback),
      });
      if (offsets) await txn.sendOffsets(offsets);
      await txn.commit();
    } catch (error) {
      // Never leave a transaction open: it would block read_committed readers until it times out.
      await txn.abort().catch(() => undefined);
      // A fenced or broken producer is discarded; the next batch starts a fresh one.
      this.producers.delete(id);
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
    committed.forEach((callback) => callback());
  }

  private producer(id: string): Promise<Producer> {
    let p = this.producers.get(id);
    if (!p) {
      const producer = this.kafka.producer({
        transactionalId: id,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: this.options.transactionTimeoutMs,
        // Right after a commit the coordinator is still writing its markers and answers the next
        // transaction's first request with CONCURRENT_TRANSACTIONS for a few milliseconds; the
        // default 100 ms first back-off would add that much to every other batch. Doubling from
        // 2 ms to a 2 s cap, 30 retries still wait ~50 s in all, as long as the default did, so
        // a slow abort of a killed predecessor's transaction is waited out rather than failed.
        retry: { initialRetryTime: 2, maxRetryTime: 2000, retries: 30 },
      });
      p = producer.connect().then(() => producer);
      p.catch(() => this.producers.delete(id));
      this.producers.set(id, p);
    }
    return p;
  }

  async closeAll(): Promise<void> {
    const all = [...this.producers.values()];
    this.producers.clear();
    await Promise.allSettled(all.map(async (p) => (await p).disconnect()));
  }
}
