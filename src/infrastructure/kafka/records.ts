import type { KafkaMessage } from 'kafkajs';
import type { IncomingRecord, OutgoingRecord, PartitionBatch } from '../../messaging/ports';

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
