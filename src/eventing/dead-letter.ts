import type { IncomingRecord, PartitionedRecord } from '../messaging/ports';

/** A record that could not be processed, kept whole with the reason, for `sentinel dlq`. */
export interface DeadLetter {
  readonly reason: string;
  readonly source: { topic: string; partition: number; offset: string };
  readonly key: string | null;
  readonly headers: Readonly<Record<string, string>>;
  /** The original value, base64, so it can be redriven byte for byte. */
  readonly value: string | null;
  readonly failedAt: string;
}

export function deadLetter(topic: string, record: IncomingRecord, reason: string): PartitionedRecord {
  const letter: DeadLetter = {
    reason,
    source: { topic: record.topic, partition: record.partition, offset: record.offset },
    key: record.key?.toString('utf8') ?? null,
    headers: record.headers,
    value: record.value?.toString('base64') ?? null,
    failedAt: new Date().toISOString(),
  };
  return {
    topic,
    partition: 0,
    key: record.key?.toString('utf8') ?? null,
    value: Buffer.from(JSON.stringify(letter)),
    headers: { 'sentinel-dlq-reason': reason.slice(0, 500) },
  };
}
