import type { KafkaMessage, RecordMetadata } from 'kafkajs';
import type {
  IncomingRecord,
  OutgoingRecord,
  PartitionBatch,
  PartitionedRecord,
  RecordPosition,
} from '../../messaging/ports';

/** Conversions between the ports' record shapes and kafkajs's. */
export function toTopicMessages(records: readonly OutgoingRecord[]) {
  type Message = {
    key: string | null;
    value: Buffer | null;
    headers?: Record<string, string>;
    partition?: number;
  };
  const byTopic = new Map<string, Message[]>();
  for (const r of records) {
    const list = byTopic.get(r.topic) ?? [];
    list.push({
      key: r.key,
      value: r.value,
      ...(r.headers ? { headers: { ...r.headers } } : {}),
      ...(r.partition !== undefined ? { partition: r.partition } : {}),
    });
    byTopic.set(r.topic, list);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

export function toPartitionBatch(topic: string, partition: number, messages: KafkaMessage[]): PartitionBatch {
  return { topic, partition, records: messages.map((m) => toIncoming(topic, partition, m)) };
}

function toIncoming(topic: string, partition: number, m: KafkaMessage): IncomingRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(m.headers ?? {})) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? String(value[0]) : String(value);
  }
  return { topic, partition, offset: m.offset, key: m.key, value: m.value, headers, timestamp: m.timestamp };
}

/**
 * Offsets of each sent record: records for one partition in one send are appended as one batch,
 * in order, from the base offset the broker returns for that partition.
 */
export function positions(
  records: readonly PartitionedRecord[],
  metadata: RecordMetadata[],
): RecordPosition[] {
  const next = new Map<string, bigint>();
  for (const m of metadata) next.set(`${m.topicName}/${m.partition}`, BigInt(m.baseOffset ?? '-1'));
  return records.map((r) => {
    const key = `${r.topic}/${r.partition}`;
    const offset = next.get(key) ?? -1n;
    next.set(key, offset + 1n);
    return { topic: r.topic, partition: r.partition, offset: offset.toString() };
  });
}
