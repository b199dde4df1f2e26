/**
 * One Fetch of one partition whose response keeps the partition's record set as raw bytes, for
 * the record reader (issue 7): kafkajs's own Fetch decodes every record of every returned batch,
 * headers and all, which costs more than the round trip when only a few records are wanted.
 *
 * The request and response below are ours (Fetch v4, the first version with READ_COMMITTED, the
 * last stable offset and the aborted transactions; later versions add fetch sessions, leader
 * epochs and racks, none of which a one-off read uses). They travel through kafkajs 2.2 internals,
 * pinned in package.json, so the read shares the leader's fetch connection, its SASL/TLS setup,
 * correlation ids and timeouts instead of opening sockets of its own:
 * - the Broker's private `sendRequest` method (symbol `private:Broker:sendRequest`), which hands a
 *   `{ request, response, requestTimeout }` triple to its connection pool (Fetch goes to the
 *   pool's fetch connection) and drops the broker when the connection closed under it;
 * - `broker.versions`, the ApiVersions the broker announced at connect, to fail clearly on a
 *   broker without Fetch v4;
 * - `protocol/encoder` (the pool frames the request body as an Encoder) and `protocol/error`
 *   (the same typed, retriable-or-not errors kafkajs throws for a partition error code).
 */

const FETCH_API_KEY = 1;
const FETCH_VERSION = 4;
const READ_COMMITTED = 1;
const NO_REPLICA = -1;
const OFFSET_OUT_OF_RANGE = 1;

export interface AbortedTransaction {
  readonly producerId: bigint;
  readonly firstOffset: bigint;
}

export interface RawPartitionData {
  readonly highWatermark: bigint;
  readonly lastStableOffset: bigint;
  readonly abortedTransactions: readonly AbortedTransaction[];
  /** The record batches as the broker sent them; the last one may be cut short (KIP-74). */
  readonly records: Buffer;
}

export interface RawFetchRequest {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  /** At least the first batch comes back whole, however small this is (KIP-74). */
  readonly maxBytes: number;
}

interface Encoder {
  writeInt8(v: number): Encoder;
  writeInt32(v: number): Encoder;
  writeInt64(v: string): Encoder;
  writeString(v: string): Encoder;
  writeArray(items: Encoder[]): Encoder;
}
type EncoderConstructor = new () => Encoder;
type ProtocolError = (code: number) => Error;

/* eslint-disable @typescript-eslint/no-require-imports */
const Encoder = require('kafkajs/src/protocol/encoder') as EncoderConstructor;
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as {
  createErrorFromCode: ProtocolError;
};
/* eslint-enable @typescript-eslint/no-require-imports */

type Send = (protocolRequest: unknown) => Promise<unknown>;

const senders = new WeakMap<object, Send>();

/** The broker's private send, looked up once per broker object. */
function senderOf(broker: object): Send {
  let send = senders.get(broker);
  if (!send) senders.set(broker, (send = findSender(broker)));
  return send;
}

function findSender(broker: object): Send {
  const versions = (broker as { versions?: Record<number, { minVersion: number; maxVersion: number }> })
    .versions?.[FETCH_API_KEY];
  if (versions && (versions.minVersion > FETCH_VERSION || versions.maxVersion < FETCH_VERSION))
    throw new Error(`the broker does not serve Fetch v${FETCH_VERSION}, which the record reader needs`);
  for (let proto = Object.getPrototypeOf(broker); proto; proto = Object.getPrototypeOf(proto)) {
    const symbol = Object.getOwnPropertySymbols(proto).find(
      (s) => s.description === 'private:Broker:sendRequest',
    );
    const send = symbol && (proto as Record<symbol, unknown>)[symbol];
    if (typeof send === 'function') return (send as Send).bind(broker);
  }
  throw new Error('this kafkajs version has no private broker send; the record reader needs kafkajs 2.2');
}

/**
 * The partition's data at `offset`, read committed, without waiting for data. `undefined` when the
 * offset is out of range (past the end, or before a truncated start): nothing committed there.
 */
export async function rawFetch(
  broker: object,
  request: RawFetchRequest,
): Promise<RawPartitionData | undefined> {
  const { topic, partition, offset, maxBytes } = request;
  const encode = async () =>
    new Encoder()
      .writeInt32(NO_REPLICA)
      .writeInt32(0) // max wait: answer at once with what is there
      .writeInt32(1) // min bytes
      .writeInt32(maxBytes)
      .writeInt8(READ_COMMITTED)
      .writeArray([
        new Encoder()
          .writeString(topic)
          .writeArray([
            new Encoder().writeInt32(partition).writeInt64(offset.toString()).writeInt32(maxBytes),
          ]),
      ]);
  const data = (await senderOf(broker)({
    request: { apiKey: FETCH_API_KEY, apiVersion: FETCH_VERSION, apiName: 'Fetch', encode },
    response: { decode: async (payload: Buffer) => decodeResponse(payload), parse: async (d: unknown) => d },
    // No timeout of its own: the max wait is 0, so the client's configured request timeout applies.
  })) as Map<string, PartitionWithCode>;
  const found = data.get(`${topic}/${partition}`);
  if (!found) throw new Error(`the fetch of ${topic}/${partition}@${offset} returned no partition data`);
  if (found.errorCode === OFFSET_OUT_OF_RANGE) return undefined;
  if (found.errorCode !== 0) throw createErrorFromCode(found.errorCode);
  return found;
}

interface PartitionWithCode extends RawPartitionData {
  readonly errorCode: number;
}

/**
 * Fetch v4 response: throttle_time_ms INT32, [topic STRING, [partition INT32, error_code INT16,
 * high_watermark INT64, last_stable_offset INT64, [producer_id INT64, first_offset INT64] (nullable),
 * records BYTES (nullable)]]. The records are a view on the payload, not a copy.
 */
export function decodeResponse(payload: Buffer): Map<string, PartitionWithCode> {
  let at = 4; // throttle time: a v4 broker throttles by delaying the response itself
  const int32 = () => ((at += 4), payload.readInt32BE(at - 4));
  const int64 = () => ((at += 8), payload.readBigInt64BE(at - 8));
  const partitions = new Map<string, PartitionWithCode>();
  for (let topics = int32(); topics > 0; topics--) {
    const length = payload.readInt16BE(at);
    const topic = payload.toString('utf8', at + 2, at + 2 + length);
    at += 2 + length;
    for (let count = int32(); count > 0; count--) {
      const partition = int32();
      const errorCode = payload.readInt16BE(at);
      at += 2;
      const highWatermark = int64();
      const lastStableOffset = int64();
      const abortedTransactions: AbortedTransaction[] = [];
      for (let n = int32(); n > 0; n--)
        abortedTransactions.push({ producerId: int64(), firstOffset: int64() });
      const size = Math.max(0, int32());
      const records = payload.subarray(at, at + size);
      at += size;
      partitions.set(`${topic}/${partition}`, {
        errorCode,
        highWatermark,
        lastStableOffset,
        abortedTransactions,
        records,
      });
    }
  }
  return partitions;
}
