import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { randomName, testConfig, testLogger, waitFor } from '../../../test/support/env';
import type { IncomingRecord, OutgoingRecord, PartitionedRecord, Subscription } from '../../messaging/ports';
import { KafkaMessaging } from './kafka-messaging';

const config = testConfig();

describe('KafkaMessaging against the real broker', () => {
  let messaging: KafkaMessaging;
  let input: string;
  let output: string;
  const running: Subscription[] = [];

  beforeEach(async () => {
    messaging = new KafkaMessaging({ ...config.kafka, logger: testLogger(), logLevel: config.logLevel });
    input = randomName('it-in');
    output = randomName('it-out');
    await messaging.ensureTopics([
      { topic: input, partitions: 3 },
      { topic: output, partitions: 3 },
    ]);
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
    await messaging.close();
  });

  /** Collects every committed record of a topic with a fresh read_committed group. */
  async function collect(topic: string): Promise<IncomingRecord[]> {
    const seen: IncomingRecord[] = [];
    running.push(
      await messaging.subscribe({
        groupId: randomName('it-reader'),
        topics: [topic],
        fromBeginning: true,
        handle: async (batch) => void seen.push(...batch.records),
      }),
    );
    return seen;
  }

  const inputs = (n: number): OutgoingRecord[] =>
    Array.from({ length: n }, (_, i) => ({ topic: input, key: `k${i % 7}`, value: Buffer.from(`v${i}`) }));

  it('commits outputs and input offsets in one transaction, exactly once across a restart', async () => {
    const groupId = randomName('it-proc');
    await messaging.publisher().publish(inputs(30));
    const process = (tag: string) =>
      messaging.runTransactional({
        groupId,
        topics: [input],
        fromBeginning: true,
        handle: async (batch, tx) => {
          await tx.send(
            batch.records.map((r) => ({
              topic: output,
              partition: r.partition,
              key: r.key!.toString(),
              value: Buffer.from(`${tag}:${r.value!.toString()}`),
              headers: { source_offset: `${r.partition}/${r.offset}` },
            })),
          );
        },
      });

    const first = await process('first');
    const out = await collect(output);
    await waitFor('30 outputs', () => (out.length >= 30 ? true : undefined));
    await first.stop();

    // A second processor in the same group finds the offsets committed by the transactions:
    // it processes only the new records, never the old ones again.
    await messaging.publisher().publish(inputs(5));
    running.push(await process('second'));
    await waitFor('35 outputs', () => (out.length >= 35 ? true : undefined));
    await new Promise((r) => setTimeout(r, 1500));

    const values = out.map((r) => r.value!.toString());
    expect(values.filter((v) => v.startsWith('first:'))).toHaveLength(30);
    expect(values.filter((v) => v.startsWith('second:')).sort()).toEqual(
      ['v0', 'v1', 'v2', 'v3', 'v4'].map((v) => `second:${v}`),
    );
    expect(new Set(out.map((r) => r.headers.source_offset)).size).toBe(35);
  });

  it('never exposes the records of an aborted transaction to read_committed readers', async () => {
    const groupId = randomName('it-proc');
    // One input partition, so all six records arrive as one batch and one transaction whose
    // outputs spread over the three output partitions; the oversized one goes to partition 2.
    input = randomName('it-in-single');
    await messaging.ensureTopics([{ topic: input, partitions: 1 }]);
    await messaging.publisher().publish(inputs(6));
    let attempts = 0;
    running.push(
      await messaging.runTransactional({
        groupId,
        topics: [input],
        fromBeginning: true,
        handle: async (batch, tx) => {
          attempts += 1;
          const outputs: PartitionedRecord[] = batch.records.map((r, i) => ({
            topic: output,
            partition: i % 3,
            key: r.key!.toString(),
            value: Buffer.from(`attempt${attempts}:${r.value!.toString()}`),
          }));
          // The first attempt also writes a record larger than the broker accepts: the other
          // records reach the log inside the transaction, then the whole transaction aborts.
          if (attempts === 1) {
            outputs.push({
              topic: output,
              partition: 2,
              key: 'zz-too-big',
              value: Buffer.alloc(2 * 1024 * 1024, 1),
            });
          }
          await tx.send(outputs);
        },
      }),
    );
    const out = await collect(output);
    await waitFor('6 committed outputs', () => (out.length >= 6 ? true : undefined));
    await new Promise((r) => setTimeout(r, 1500));

    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(out.every((r) => !r.value!.toString().startsWith('attempt1:'))).toBe(true);
    expect(out).toHaveLength(6);

    // The aborted records are physically in the log: a read_uncommitted observer sees them.
    const uncommitted = await readUncommitted(output);
    expect(uncommitted.some((v) => v.startsWith('attempt1:'))).toBe(true);
  });
  it('batches concurrent publishes and gives each caller the offsets its own records got', async () => {
    const publisher = messaging.publisher();
    const callers = Array.from({ length: 200 }, (_, i) =>
      Array.from({ length: 1 + (i % 3) }, (_, j) => ({
        topic: input,
        key: `key-${i % 11}`,
        value: Buffer.from(`caller-${i}-record-${j}`),
      })),
    );
    const answers = await Promise.all(callers.map((records) => publisher.publish(records)));
    const seen = await collect(input);
    const total = callers.reduce((n, c) => n + c.length, 0);
    await waitFor(`${total} records read back`, () => seen.length === total || undefined);
    const at = new Map(seen.map((r) => [`${r.partition}/${r.offset}`, r.value!.toString()]));
    for (const [i, records] of callers.entries()) {
      const partition = await messaging.partitionOf(input, records[0]!.key);
      for (const [j, record] of records.entries()) {
        const position = answers[i]![j]!;
        expect(position.partition).toBe(partition);
        expect(at.get(`${position.partition}/${position.offset}`)).toBe(record.value.toString());
      }
    }
  });

  it('applies a changed setting to a topic created earlier', async () => {
    const topic = randomName('it-settings');
    await messaging.ensureTopics([{ topic, partitions: 1, config: { 'retention.ms': '3600000' } }]);
    await messaging.ensureTopics([{ topic, partitions: 1, config: { 'retention.ms': '7200000' } }]);
    const admin = new Kafka({ brokers: config.kafka.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }],
      });
      const retention = resources[0]!.configEntries.find((e) => e.configName === 'retention.ms');
      expect(retention?.configValue).toBe('7200000');
    } finally {
      await admin.disconnect();
    }
  });
});

/** Test-only observer with kafkajs directly: the adapter deliberately offers no dirty reads. */
async function readUncommitted(topic: string): Promise<string[]> {
  const kafka = new Kafka({ brokers: config.kafka.brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: randomName('it-dirty'), readUncommitted: true });
  const values: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => void values.push(message.value?.toString() ?? ''),
  });
  await new Promise((r) => setTimeout(r, 3000));
  await consumer.disconnect();
  return values;
}
