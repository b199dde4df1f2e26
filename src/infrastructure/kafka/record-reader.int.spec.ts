import { Kafka, logLevel } from 'kafkajs';
import { randomName, testConfig, testLogger, waitFor } from '../../../test/support/env';
import type { IncomingRecord } from '../../messaging/ports';
import { KafkaMessaging } from './kafka-messaging';
import { RecordReader } from './record-reader';

const config = testConfig();

/** Messaging.readRecords against the real broker: exact records, committed ones only. */
describe('KafkaMessaging.readRecords', () => {
  let messaging: KafkaMessaging;
  let kafka: Kafka;
  let topic: string;
  /** Every committed record of partition 0, read the slow way, by offset. */
  const all = new Map<string, IncomingRecord>();
  const aborted: string[] = [];

  beforeAll(async () => {
    messaging = new KafkaMessaging({ ...config.kafka, logger: testLogger(), logLevel: config.logLevel });
    kafka = new Kafka({
      clientId: randomName('it-reader'),
      brokers: config.kafka.brokers,
      logLevel: logLevel.NOTHING,
    });
    topic = randomName('it-records');
    await messaging.ensureTopics([{ topic, partitions: 2 }]);
    // Many small batches, so the records asked for below sit in different record batches.
    for (let b = 0; b < 40; b++)
      await messaging.publisher().publish(
        Array.from({ length: 50 }, (_, i) => ({
          topic,
          partition: 0,
          key: `k${i % 5}`,
          value: Buffer.from(`v${b * 50 + i}`),
          headers: { n: String(b * 50 + i) },
        })),
      );
    // An aborted transaction in the middle of the log, then more committed records after it.
    const producer = kafka.producer({
      transactionalId: randomName('it-tx'),
      maxInFlightRequests: 1,
      idempotent: true,
    });
    await producer.connect();
    const tx = await producer.transaction();
    const sent = await tx.send({
      topic,
      messages: [0, 1, 2].map((i) => ({ partition: 0, value: `aborted${i}` })),
    });
    await tx.abort();
    const base = BigInt(sent[0]!.baseOffset!);
    aborted.push(...[0n, 1n, 2n].map((i) => (base + i).toString()));
    await producer.disconnect();
    await messaging.publisher().publish([{ topic, partition: 0, key: 'after', value: Buffer.from('after') }]);
    await messaging.readPartition(topic, 0, (r) => void all.set(r.offset, r));
  });

  afterAll(async () => {
    await messaging.close();
  });

  const values = (records: readonly IncomingRecord[]) => records.map((r) => r.value?.toString());

  it('returns exactly the records asked for, in offset order, with headers and keys', async () => {
    const committed = [...all.keys()];
    const picked = [1999, 3, 777, 5, 1234, 1500, 0, 64, 65, 1000, 4].map((i) => committed[i]!);
    const records = await messaging.readRecords(topic, 0, picked);
    const expected = [...picked].sort((a, b) => Number(a) - Number(b)).map((o) => all.get(o)!);
    expect(records.map((r) => r.offset)).toEqual(expected.map((r) => r.offset));
    expect(values(records)).toEqual(values(expected));
    expect(records.map((r) => r.headers.n)).toEqual(expected.map((r) => r.headers.n));
    expect(records.map((r) => r.key?.toString())).toEqual(expected.map((r) => r.key?.toString()));
    expect(records.every((r) => r.topic === topic && r.partition === 0)).toBe(true);
  });

  it('leaves out aborted records and transaction markers, and reads what follows them', async () => {
    const marker = (BigInt(aborted.at(-1)!) + 1n).toString();
    const last = [...all.keys()].at(-1)!;
    const records = await messaging.readRecords(topic, 0, [...aborted, marker, last]);
    expect(values(records)).toEqual(['after']);
    expect(records[0]!.offset).toBe(last);
  });

  it('reads many neighbouring offsets across batches and the aborted transaction as a consumer reads them', async () => {
    const every = [...all.keys()].filter((_, i) => i % 7 === 3);
    const wanted = [...every, ...aborted, '0', '49', '50', '1999', '2000'];
    const expected = [...new Set(wanted)]
      .sort((a, b) => Number(a) - Number(b))
      .flatMap((o) => all.get(o) ?? []);
    expect(await messaging.readRecords(topic, 0, wanted)).toEqual(expected);
  });

  it('reads nothing past an open transaction until it commits', async () => {
    const open = randomName('it-open');
    await messaging.ensureTopics([{ topic: open, partitions: 1 }]);
    const plain = (value: string) => ({ topic: open, partition: 0, key: 'k', value: Buffer.from(value) });
    await messaging.publisher().publish(['a', 'b', 'c'].map(plain));
    const producer = kafka.producer({
      transactionalId: randomName('it-tx'),
      maxInFlightRequests: 1,
      idempotent: true,
    });
    await producer.connect();
    try {
      const tx = await producer.transaction();
      await tx.send({ topic: open, messages: [{ partition: 0, value: 'in-tx' }] });
      await messaging.publisher().publish([plain('after')]);
      const offsets = ['0', '1', '2', '3', '4', '5'];
      expect(values(await messaging.readRecords(open, 0, offsets))).toEqual(['a', 'b', 'c']);
      await tx.commit();
      // The coordinator writes the commit marker after commit() returns: until it lands, the
      // last stable offset, and so what a read_committed read returns, stays where it was.
      const read = await waitFor('the committed transaction to become readable', async () => {
        const now = values(await messaging.readRecords(open, 0, offsets));
        return now.length > 3 ? now : undefined;
      });
      expect(read).toEqual(['a', 'b', 'c', 'in-tx', 'after']);
    } finally {
      await producer.disconnect();
    }
  });

  it('gives reads running at once over several connections what it gives them one after another', async () => {
    const committed = [...all.keys()];
    const sets = [3, 5, 11, 13].map((step) => committed.filter((_, i) => i % step === 1));
    const sequential: IncomingRecord[][] = [];
    for (const offsets of sets) sequential.push(await messaging.readRecords(topic, 0, offsets));
    // A fresh reader: the reads race for connections none of which is open yet.
    const reader = new RecordReader(kafka, { lanes: 8, connections: 3 });
    try {
      expect(await Promise.all(sets.map((offsets) => reader.read(topic, 0, offsets)))).toEqual(sequential);
      await reader.close();
      // Closed, the reader opens new connections for the next read.
      expect(await reader.read(topic, 0, sets[0]!)).toEqual(sequential[0]);
    } finally {
      await reader.close();
    }
  });

  it('returns nothing for offsets past the end, for an empty list, and for duplicates once', async () => {
    expect(await messaging.readRecords(topic, 0, ['999999'])).toEqual([]);
    expect(await messaging.readRecords(topic, 0, [])).toEqual([]);
    expect(await messaging.readRecords(topic, 1, ['0'])).toEqual([]);
    const twice = await messaging.readRecords(topic, 0, ['10', '10']);
    expect(values(twice)).toEqual(['v10']);
  });
});
