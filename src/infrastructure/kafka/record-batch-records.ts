import type { IHeaders, KafkaMessage } from 'kafkajs';

/**
 * The records of one uncompressed record batch (magic v2), for the record reader (issue 7): the
 * records before a wanted one are stepped over by their varint length prefix, and only the wanted
 * ones are decoded, into the shape kafkajs's own record decoder gives (offset and timestamp as
 * decimal strings, headers repeated under one name gathered into an array), so records.ts turns
 * them into IncomingRecords exactly as it does kafkajs's.
 *
 * Record => length varint, attributes int8, timestampDelta varlong, offsetDelta varint,
 *   key varint-length bytes, value varint-length bytes, [headerKey varint-length string,
 *   headerValue varint-length bytes] (varint count). Lengths of -1 are null.
 */

/** Where the records start: after the 61-byte batch header. */
export const RECORDS_AT = 61;

export interface BatchHeader {
  readonly baseOffset: bigint;
  readonly lastOffset: bigint;
  readonly attributes: number;
  readonly firstTimestamp: bigint;
  readonly maxTimestamp: bigint;
  readonly producerId: bigint;
  readonly count: number;
}

const LOG_APPEND_TIME = 0x08;

/** A position in a buffer, reading the zigzag varints of the v2 record format. */
export class Cursor {
  constructor(
    private readonly buffer: Buffer,
    public at: number,
  ) {}

  int8(): number {
    return this.buffer.readInt8(this.at++);
  }

  /** Up to 32 bits: summed as a number, so no sign trouble from bit operators. */
  varint(): number {
    let value = 0;
    let scale = 1;
    let byte: number;
    do {
      byte = this.buffer[this.at++] ?? 0;
      value += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte & 0x80);
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  }

  varlong(): bigint {
    let value = 0n;
    let shift = 0n;
    let byte: number;
    do {
      byte = this.buffer[this.at++] ?? 0;
      value |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
    } while (byte & 0x80);
    return (value >> 1n) ^ -(value & 1n);
  }

  skipVarint(): void {
    while ((this.buffer[this.at++] ?? 0) & 0x80);
  }

  /** A copy, so a kept record does not pin the whole fetch response in memory. */
  bytes(): Buffer | null {
    const length = this.varint();
    if (length < 0) return null;
    this.at += length;
    return Buffer.from(this.buffer.subarray(this.at - length, this.at));
  }

  string(): string | null {
    const length = this.varint();
    if (length < 0) return null;
    this.at += length;
    return this.buffer.toString('utf8', this.at - length, this.at);
  }
}

/** The batch's records whose offset delta is in `targets` (ascending), decoded. */
export function pickRecords(batch: Buffer, header: BatchHeader, targets: readonly number[]): KafkaMessage[] {
  const cursor = new Cursor(batch, RECORDS_AT);
  const picked: KafkaMessage[] = [];
  let t = 0;
  for (let i = 0; i < header.count && t < targets.length && cursor.at < batch.length; i++) {
    const length = cursor.varint();
    const start = cursor.at;
    cursor.at += 1; // attributes
    cursor.skipVarint(); // timestamp delta
    const offsetDelta = cursor.varint();
    // A compacted batch may lack some offsets: a target below the record is not there.
    while (t < targets.length && targets[t]! < offsetDelta) t++;
    if (targets[t] === offsetDelta) {
      cursor.at = start;
      picked.push(decodeRecord(cursor, header));
      t++;
    }
    cursor.at = start + length;
  }
  return picked;
}

function decodeRecord(cursor: Cursor, header: BatchHeader): KafkaMessage {
  const attributes = cursor.int8();
  const timestampDelta = cursor.varlong();
  const offsetDelta = cursor.varint();
  const key = cursor.bytes();
  const value = cursor.bytes();
  const headers: Record<string, unknown> = {};
  for (let n = cursor.varint(); n > 0; n--) {
    const name = cursor.string() ?? 'null';
    const headerValue = cursor.bytes();
    const before = headers[name];
    headers[name] =
      before === undefined
        ? headerValue
        : Array.isArray(before)
          ? [...before, headerValue]
          : [before, headerValue];
  }
  const timestamp =
    header.attributes & LOG_APPEND_TIME ? header.maxTimestamp : header.firstTimestamp + timestampDelta;
  return {
    key,
    value,
    timestamp: timestamp.toString(),
    attributes,
    offset: (header.baseOffset + BigInt(offsetDelta)).toString(),
    headers: headers as IHeaders,
  };
}
