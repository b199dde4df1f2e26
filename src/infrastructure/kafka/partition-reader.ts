import { randomUUID } from 'crypto';
import type { Admin, Kafka } from 'kafkajs';
import type { IncomingRecord } from '../../messaging/ports';
import { toPartitionBatch } from './records';

/**
 * Reads one partition from its start to the end offset seen when the read began. kafkajs has no
 * manual assignment, so a throw-away consumer group subscribes to the topic and pauses the other
 * partitions. Completion is judged by the consumer's position, which also moves past control
 * records and aborted data that are never delivered.
 */
export async function readPartition(
  kafka: Kafka,
  admin: Admin,
  clientId: string,
  topic: string,
  partition: number,
  onRecord: (record: IncomingRecord) => void,
): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  const end = BigInt(offsets.find((o) => o.partition === partition)?.high ?? '0');
  const start = BigInt(offsets.find((o) => o.partition === partition)?.low ?? '0');
  if (end <= start) return 0;

  const groupId = `${clientId}-restore-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 100 });
  let count = 0;
  try {
    await consumer.connect();
    await new Promise<void>((resolve, reject) => {
      const others = offsets.map((o) => o.partition).filter((p) => p !== partition);
      consumer.on(consumer.events.GROUP_JOIN, () => {
        if (others.length > 0) consumer.pause([{ topic, partitions: others }]);
      });
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        if (payload.partition === partition && BigInt(payload.lastOffset) + 1n >= end) resolve();
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
      consumer
        .subscribe({ topic, fromBeginning: true })
        .then(() =>
          consumer.run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              if (batch.partition !== partition) return;
              for (const record of toPartitionBatch(topic, partition, batch.messages).records) {
                onRecord(record);
                count += 1;
              }
            },
          }),
        )
        .catch(reject);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
  return count;
}
