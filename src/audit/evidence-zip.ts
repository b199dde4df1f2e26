import { zipSync, type Zippable } from 'fflate';
import { canonicalJson } from '../domain/policies/definition';
import type { IncomingRecord } from '../messaging/ports';
import type { AuditEventRow } from './audit-events';

export interface RawRecord {
  readonly event: AuditEventRow;
  readonly record: IncomingRecord;
}

/** Sorted keys, two-space indent: readable, and the same bytes for the same document. */
export const evidenceJson = (value: unknown) =>
  `${JSON.stringify(JSON.parse(canonicalJson(value)), null, 2)}\n`;

/**
 * Zip timestamps are DOS local times: fflate reads the Date's local fields. A Date built from the
 * UTC fields of the change's instant stores that UTC time whatever the server's time zone.
 */
function dosTime(iso: string): Date {
  const t = new Date(iso);
  return new Date(
    t.getUTCFullYear(),
    t.getUTCMonth(),
    t.getUTCDate(),
    t.getUTCHours(),
    t.getUTCMinutes(),
    t.getUTCSeconds(),
  );
}

/** One record as read from Kafka: everything needed to re-verify it offline with any client. */
const rawJson = ({ record }: RawRecord) =>
  evidenceJson({
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: record.key ? record.key.toString('base64') : null,
    headers: record.headers,
    value: record.value ? record.value.toString('base64') : null,
    encoding: 'key and value are base64 of the exact bytes; the value is Confluent wire-format Avro',
  });

/**
 * `evidence.json` and `events/<version>-<type>-<topic>-<partition>-<offset>.json` per record. Entry
 * order, timestamps and compression level are fixed, so the same pack zips to the same bytes.
 */
export function zipEvidence(pack: unknown, records: readonly RawRecord[], at: string): Buffer {
  const mtime = dosTime(at);
  const files: Zippable = { 'evidence.json': [Buffer.from(evidenceJson(pack)), { mtime }] };
  const sorted = [...records].sort((a, b) => a.event.version - b.event.version);
  for (const r of sorted) {
    const e = r.event;
    const name = `events/${String(e.version).padStart(6, '0')}-${e.event_type}-${e.topic}-${e.partition}-${e.offset}.json`;
    files[name] = [Buffer.from(rawJson(r)), { mtime }];
  }
  return Buffer.from(zipSync(files, { level: 6, mtime }));
}
