import type { KafkaMessage } from 'kafkajs';
import type { AbortedTransaction } from './raw-fetch';
import { type BatchHeader, Cursor, pickRecords, RECORDS_AT } from './record-batch-records';

/**
 * Picks wanted offsets out of a Fetch's raw record set (issue 7). Batches are walked by their
 * length field: a batch holding no wanted offset is stepped over after reading its 61-byte header,
 * and only the wanted records of the others are decoded (record-batch-records.ts).
 *
 * Only committed data comes out: control batches (transaction markers) are skipped, and so are
 * the batches of aborted transactions, by the rule of Kafka's consumer and kafkajs's consumer
 * batch filter: the response lists each aborted transaction overlapping the fetched range by
 * producer id and first offset; from that offset on, that producer's transactional batches are
 * aborted until its abort marker (a control batch whose record key has type 0).
 *
 * The CRC is not checked, as kafkajs does not: the broker validated it on append, and the
 * connection is TCP (and maybe TLS). Compressed batches (Sentinel's producers do not compress) are
 * decoded whole by kafkajs's own batch decoder; a record set in the legacy message format (magic
 * 0/1, from brokers before 0.11) by kafkajs's message set decoder, as kafkajs's Fetch does.
 */

export interface RecordSetScan {
  /** The wanted committed records found, in offset order. */
  readonly records: KafkaMessage[];
  /** The last offset of the last whole batch read; undefined when no batch was whole. */
  readonly end?: bigint;
  /** The first offset of the first whole batch, their count and bytes: the log's layout. */
  readonly first?: bigint;
  readonly batches: number;
  readonly bytes: number;
}

const MAGIC_AT = 16;
const RECORD_BATCH_MAGIC = 2;
const COMPRESSION = 0x07;
const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;
const ABORT_MARKER = 0;

type KafkajsDecoder = object;
type DecoderConstructor = new (buffer: Buffer) => KafkajsDecoder;
type BatchDecoder = (decoder: KafkajsDecoder) => Promise<{ records: KafkaMessage[] }>;
type MessageSetDecoder = (decoder: KafkajsDecoder, size: number) => Promise<KafkaMessage[]>;

/* eslint-disable @typescript-eslint/no-require-imports */
const Decoder = require('kafkajs/src/protocol/decoder') as DecoderConstructor;
const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder') as BatchDecoder;
const decodeMessageSet = require('kafkajs/src/protocol/messageSet/decoder') as MessageSetDecoder;
/* eslint-enable @typescript-eslint/no-require-imports */

/** `wanted` ascending; `aborted` as the Fetch response listed them. */
export async function scanRecordSet(
  set: Buffer,
  wanted: readonly bigint[],
  aborted: readonly AbortedTransaction[],
): Promise<RecordSetScan> {
  if (set.length > MAGIC_AT && set.readInt8(MAGIC_AT) < RECORD_BATCH_MAGIC)
    return scanMessageSet(set, wanted);
  const transactions = new AbortedTransactions(aborted);
  const targets = new Targets(wanted);
  const records: KafkaMessage[] = [];
  let first: bigint | undefined;
  let end: bigint | undefined;
  let batches = 0;
  let at = 0;
  for (; at + RECORDS_AT <= set.length; batches++) {
    const size = 12 + set.readInt32BE(at + 8);
    // The broker cuts the last batch at the byte limit; a legacy entry after batches waits for
    // the next fetch, which starts at it.
    if (at + size > set.length || set.readInt8(at + MAGIC_AT) !== RECORD_BATCH_MAGIC) break;
    const batch = set.subarray(at, at + size);
    at += size;
    const header = headerOf(batch);
    first ??= header.baseOffset;
    end = header.lastOffset;
    const inBatch = targets.within(header);
    if (transactions.skips(header, batch) || inBatch.length === 0) continue;
    records.push(...(await recordsOf(batch, header, inBatch)));
  }
  return { records, end, first, batches, bytes: at };
}

/** The wanted offsets, taken batch by batch in offset order. */
class Targets {
  private next = 0;

  constructor(private readonly wanted: readonly bigint[]) {}

  /** The wanted offsets in the batch, as deltas from its base offset; those before it are gone. */
  within({ baseOffset, lastOffset }: BatchHeader): number[] {
    const deltas: number[] = [];
    for (; this.next < this.wanted.length && this.wanted[this.next]! <= lastOffset; this.next++)
      if (this.wanted[this.next]! >= baseOffset) deltas.push(Number(this.wanted[this.next]! - baseOffset));
    return deltas;
  }
}

function headerOf(batch: Buffer): BatchHeader {
  const baseOffset = batch.readBigInt64BE(0);
  return {
    baseOffset,
    lastOffset: baseOffset + BigInt(batch.readInt32BE(23)),
    attributes: batch.readInt16BE(21),
    firstTimestamp: batch.readBigInt64BE(27),
    maxTimestamp: batch.readBigInt64BE(35),
    producerId: batch.readBigInt64BE(43),
    count: batch.readInt32BE(57),
  };
}

async function recordsOf(
  batch: Buffer,
  header: BatchHeader,
  targets: readonly number[],
): Promise<KafkaMessage[]> {
  if ((header.attributes & COMPRESSION) === 0) return pickRecords(batch, header, targets);
  const { records } = await decodeBatch(new Decoder(batch));
  const offsets = new Set(targets.map((t) => (header.baseOffset + BigInt(t)).toString()));
  return records
    .filter((r) => offsets.has(r.offset))
    .map(({ key, value, timestamp, attributes, offset, headers }) => ({
      key,
      value,
      timestamp,
      attributes,
      offset,
      headers: headers ?? {},
    }));
}

/** Legacy messages cannot be transactional: only the offsets matter. */
async function scanMessageSet(set: Buffer, wanted: readonly bigint[]): Promise<RecordSetScan> {
  const messages = await decodeMessageSet(new Decoder(set), set.length);
  const offsets = new Set(wanted.map(String));
  const last = messages.at(-1);
  return {
    records: messages.filter((m) => offsets.has(m.offset)),
    end: last && BigInt(last.offset),
    first: messages[0] && BigInt(messages[0].offset),
    batches: messages.length,
    bytes: set.length,
  };
}

/** Which producers are inside an aborted transaction, batch by batch in offset order. */
class AbortedTransactions {
  private readonly pending: AbortedTransaction[];
  private readonly open = new Set<bigint>();
  private next = 0;

  constructor(aborted: readonly AbortedTransaction[]) {
    this.pending = [...aborted].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1));
  }

  /** True for a control batch and for a batch of an aborted transaction. */
  skips(header: BatchHeader, batch: Buffer): boolean {
    for (; this.next < this.pending.length; this.next++) {
      const transaction = this.pending[this.next]!;
      if (transaction.firstOffset > header.lastOffset) break;
      this.open.add(transaction.producerId);
    }
    if (header.attributes & CONTROL) {
      if (isAbortMarker(batch, header)) this.open.delete(header.producerId);
      return true;
    }
    return (header.attributes & TRANSACTIONAL) !== 0 && this.open.has(header.producerId);
  }
}

/** The control record's key: version int16, type int16 (0 abort, 1 commit). */
function isAbortMarker(batch: Buffer, header: BatchHeader): boolean {
  if (header.count < 1) return false;
  const cursor = new Cursor(batch, RECORDS_AT);
  cursor.skipVarint(); // length
  cursor.at += 1; // attributes
  cursor.skipVarint(); // timestamp delta
  cursor.skipVarint(); // offset delta
  const keyLength = cursor.varint();
  return keyLength >= 4 && batch.readInt16BE(cursor.at + 2) === ABORT_MARKER;
}
