import type { KafkaMessage } from 'kafkajs';
import { CompressionTypes } from 'kafkajs';
import { scanRecordSet } from './record-batch';
import { toPartitionBatch } from './records';

/* eslint-disable @typescript-eslint/no-require-imports */
// kafkajs's own encoders build the wire bytes, so the decoder is checked against another writer.
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch: (o: object) => Promise<{ buffer: Buffer }>;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (o: object) => object;
const Decoder = require('kafkajs/src/protocol/decoder') as new (b: Buffer) => object;
const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (
  d: object,
) => Promise<{ records: KafkaMessage[] }>;
/* eslint-enable @typescript-eslint/no-require-imports */

const ATTRIBUTES_AT = 21;
const LOG_APPEND_TIME = 0x08;
const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;
const T0 = 1_700_000_000_000;

interface Spec {
  readonly base: number;
  readonly deltas?: readonly number[];
  readonly producerId?: number;
  readonly transactional?: boolean;
  readonly compression?: CompressionTypes;
  readonly extraAttributes?: number;
}

const recordOf = (offset: number, timestampDelta: number) => ({
  offsetDelta: 0,
  timestampDelta,
  key: Buffer.from(`k${offset}`),
  value: Buffer.from(`v${offset}`),
  headers: { n: String(offset), twice: ['a', 'b'] },
});

async function batch(spec: Spec): Promise<Buffer> {
  const deltas = spec.deltas ?? [0, 1, 2];
  const records = deltas.map((d) => Record({ ...recordOf(spec.base + d, d * 10), offsetDelta: d }));
  const { buffer } = await RecordBatch({
    firstOffset: String(spec.base),
    firstTimestamp: T0,
    maxTimestamp: T0 + 999,
    lastOffsetDelta: deltas.at(-1)!,
    producerId: String(spec.producerId ?? -1),
    transactional: spec.transactional ?? false,
    compression: spec.compression ?? CompressionTypes.None,
    records,
  });
  const bytes = Buffer.from(buffer);
  if (spec.extraAttributes)
    bytes.writeInt16BE(bytes.readInt16BE(ATTRIBUTES_AT) | spec.extraAttributes, ATTRIBUTES_AT);
  return bytes;
}

/** A transaction marker: a control batch of one record, key version 0, type 0 abort, 1 commit. */
async function marker(base: number, producerId: number, type: 0 | 1): Promise<Buffer> {
  const key = Buffer.alloc(4);
  key.writeInt16BE(type, 2);
  const { buffer } = await RecordBatch({
    firstOffset: String(base),
    producerId: String(producerId),
    transactional: true,
    records: [Record({ key, value: Buffer.from([0, 0, 0, 0, 0, 0]) })],
  });
  const bytes = Buffer.from(buffer);
  bytes.writeInt16BE(bytes.readInt16BE(ATTRIBUTES_AT) | CONTROL | TRANSACTIONAL, ATTRIBUTES_AT);
  return bytes;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => BigInt(from + i));
const offsets = (records: readonly KafkaMessage[]) => records.map((r) => Number(r.offset));

describe('scanRecordSet', () => {
  it('decodes only the wanted records, as kafkajs decodes them, and walks past the other batches', async () => {
    const batches = await Promise.all([0, 3, 6, 9].map((base) => batch({ base })));
    // Garbage in the records of a batch holding no wanted offset: it must be stepped over unread.
    batches[2]!.fill(0xff, 61);
    const set = Buffer.concat(batches);
    const scan = await scanRecordSet(set, [1n, 4n, 5n, 10n], []);
    expect(offsets(scan.records)).toEqual([1, 4, 5, 10]);
    expect(scan).toMatchObject({ first: 0n, end: 11n, batches: 4, bytes: set.length });
    const { records: theirs } = await decodeBatch(new Decoder(batches[1]!));
    const asIncoming = (ms: KafkaMessage[]) => toPartitionBatch('t', 0, ms).records;
    expect(asIncoming(scan.records.slice(1, 3))).toEqual(asIncoming(theirs.slice(1, 3)));
    expect(scan.records[0]).toMatchObject({
      key: Buffer.from('k1'),
      value: Buffer.from('v1'),
      timestamp: String(T0 + 10),
      headers: { n: Buffer.from('1'), twice: [Buffer.from('a'), Buffer.from('b')] },
    });
  });

  it('stops before a batch the byte limit cut short', async () => {
    const set = Buffer.concat([await batch({ base: 0 }), await batch({ base: 3 })]);
    const scan = await scanRecordSet(set.subarray(0, set.length - 5), range(0, 6), []);
    expect(offsets(scan.records)).toEqual([0, 1, 2]);
    expect(scan.end).toBe(2n);
  });

  it('leaves out offsets a compacted batch no longer holds', async () => {
    const scan = await scanRecordSet(await batch({ base: 10, deltas: [0, 2, 5] }), range(10, 16), []);
    expect(offsets(scan.records)).toEqual([10, 12, 15]);
  });

  it('drops aborted transactions and markers, and keeps committed ones and other producers', async () => {
    const set = Buffer.concat([
      await batch({ base: 0 }), // 0-2 plain
      await batch({ base: 3, deltas: [0, 1], producerId: 7, transactional: true }), // 3-4 aborted
      await batch({ base: 5, producerId: 8, transactional: true }), // 5-7 committed, another producer
      await marker(8, 7, 0), // abort of 7
      await batch({ base: 9, deltas: [0], producerId: 7, transactional: true }), // 9, committed
      await marker(10, 7, 1),
      await marker(11, 8, 1),
      await batch({ base: 12, deltas: [0], producerId: 7 }), // 12, idempotent, not transactional
    ]);
    const aborted = [{ producerId: 7n, firstOffset: 3n }];
    const scan = await scanRecordSet(set, range(0, 13), aborted);
    expect(offsets(scan.records)).toEqual([0, 1, 2, 5, 6, 7, 9, 12]);
    expect(scan.end).toBe(12n);
  });

  it('drops an aborted transaction that began before the fetched range', async () => {
    const set = Buffer.concat([
      await batch({ base: 20, deltas: [0, 1], producerId: 3, transactional: true }),
      await marker(22, 3, 0),
      await batch({ base: 23, deltas: [0] }),
    ]);
    const scan = await scanRecordSet(set, range(20, 24), [{ producerId: 3n, firstOffset: 12n }]);
    expect(offsets(scan.records)).toEqual([23]);
  });

  it('reads a compressed batch through kafkajs, with the same records', async () => {
    const set = Buffer.concat([
      await batch({ base: 0, compression: CompressionTypes.GZIP }),
      await batch({ base: 3 }),
    ]);
    const scan = await scanRecordSet(set, [1n, 2n, 4n], []);
    expect(offsets(scan.records)).toEqual([1, 2, 4]);
    expect(toPartitionBatch('t', 0, scan.records).records[0]).toMatchObject({
      offset: '1',
      key: Buffer.from('k1'),
      value: Buffer.from('v1'),
      headers: { n: '1', twice: 'a' },
      timestamp: String(T0 + 10),
    });
  });

  it('stamps records of a log-append-time batch with its max timestamp', async () => {
    const scan = await scanRecordSet(await batch({ base: 0, extraAttributes: LOG_APPEND_TIME }), [2n], []);
    expect(scan.records[0]!.timestamp).toBe(String(T0 + 999));
  });

  it('finds nothing in an empty record set', async () => {
    expect(await scanRecordSet(Buffer.alloc(0), [1n], [])).toEqual({ records: [], batches: 0, bytes: 0 });
  });
});
