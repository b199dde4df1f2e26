import type { Kafka, Producer } from 'kafkajs';
import type { ExclusivePublisher, PartitionedRecord, RecordPosition } from '../../messaging/ports';
import { positions, toTopicMessages } from './records';

/**
 * A transactional producer used as a single writer (e.g. of the audit digest chain). Connecting
 * runs InitProducerId for its transactional.id, which fences any earlier producer with that id
 * and aborts its open transaction; from then on only this one can commit.
 */
export async function connectExclusivePublisher(
  kafka: Kafka,
  transactionalId: string,
): Promise<ExclusivePublisher> {
  const producer: Producer = kafka.producer({
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  return {
    publish: async (records: readonly PartitionedRecord[]): Promise<RecordPosition[]> => {
      const txn = await producer.transaction();
      try {
        const sent = await txn.sendBatch({ acks: -1, topicMessages: toTopicMessages(records) });
        await txn.commit();
        return positions(records, sent);
      } catch (error) {
        // Never leave it open: read_committed readers of the topic would stall behind it.
        await txn.abort().catch(() => undefined);
        throw error;
      }
    },
    close: () => producer.disconnect(),
  };
}
