import { Kafka, Offsets, Producer } from 'kafkajs';
import type { OutgoingRecord } from '../../messaging/ports';
import { toTopicMessages } from './records';

/**
 * One transactional producer per input partition. Its transactional.id is derived from the
 * partition, so when a rebalance moves the partition the new owner's InitProducerId fences the
 * old owner (a zombie's commit fails) — the pre-KIP-447 model, which is what kafkajs supports.
 */
export class TransactionalProducers {
  private readonly producers = new Map<string, Promise<Producer>>();
  // kafkajs allows one transaction at a time per producer ("another operation is in progress").
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: { prefix: string; transactionTimeoutMs: number },
  ) {}

  async commit(
    topic: string,
    partition: number,
    outputs: readonly OutgoingRecord[],
    offsets: Offsets & { consumerGroupId: string },
  ) {
    const id = `${this.options.prefix}-${topic}-${partition}`;
    const previous = this.tails.get(id) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.transact(id, outputs, offsets));
    this.tails.set(id, run);
    return run;
  }

  private async transact(
    id: string,
    outputs: readonly OutgoingRecord[],
    offsets: Offsets & { consumerGroupId: string },
  ) {
    const producer = await this.producer(id);
    const txn = await producer.transaction();
    try {
      if (outputs.length > 0) await txn.sendBatch({ acks: -1, topicMessages: toTopicMessages(outputs) });
      await txn.sendOffsets(offsets);
      await txn.commit();
    } catch (error) {
      // Never leave a transaction open: it would block read_committed readers until it times out.
      await txn.abort().catch(() => undefined);
      // A fenced or broken producer is discarded; the next batch starts a fresh one.
      this.producers.delete(id);
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  private producer(id: string): Promise<Producer> {
    let p = this.producers.get(id);
    if (!p) {
      const producer = this.kafka.producer({
        transactionalId: id,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: this.options.transactionTimeoutMs,
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
