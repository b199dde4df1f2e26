import { Kafka, logLevel, type Producer } from 'kafkajs';
import { randomName, testConfig, testLogger } from '../../../test/support/env';
import { KafkaMessaging } from './kafka-messaging';
import { cacheTransactionCoordinators, installed } from './transaction-coordinators';

const config = testConfig();

/** Counts the requests a transactional producer sends, by kafkajs's API name. */
async function countedProducer(kafka: Kafka, topic: string) {
  const producer: Producer = kafka.producer({
    transactionalId: randomName('it-txc'),
    idempotent: true,
    maxInFlightRequests: 1,
  });
  const sent = new Map<string, number>();
  producer.on(producer.events.REQUEST, ({ payload }) =>
    sent.set(payload.apiName, (sent.get(payload.apiName) ?? 0) + 1),
  );
  await producer.connect();
  const transactions = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const txn = await producer.transaction();
      await txn.send({ topic, messages: [{ key: 'k', value: `v${i}` }] });
      await txn.commit();
    }
  };
  return { producer, sent, transactions };
}

describe('transaction coordinator lookups against the real broker', () => {
  const kafka = new Kafka({ brokers: config.kafka.brokers, logLevel: logLevel.NOTHING });
  let topic: string;

  beforeAll(async () => {
    topic = randomName('it-txc');
    const messaging = new KafkaMessaging({
      ...config.kafka,
      logger: testLogger(),
      logLevel: config.logLevel,
    });
    await messaging.ensureTopics([{ topic, partitions: 1 }]).finally(() => messaging.close());
  });

  afterEach(() => cacheTransactionCoordinators({ ttlMs: 1000 }));

  it('asks for the coordinator once for 20 transactions, not twice per transaction', async () => {
    expect(cacheTransactionCoordinators({ ttlMs: 60_000 })).toBe(true);
    expect(installed()).toBe(true);
    const { producer, sent, transactions } = await countedProducer(kafka, topic);
    try {
      // The first transaction fills the cache; on a cold broker its lookup may be asked again
      // while the broker still answers COORDINATOR_NOT_AVAILABLE.
      await transactions(1);
      const warm = sent.get('GroupCoordinator') ?? 0;
      expect(warm).toBeGreaterThanOrEqual(1);
      await transactions(20);
      expect(sent.get('EndTxn')).toBe(21);
      // Without the cache: 40 more, one before each AddPartitionsToTxn and each EndTxn.
      expect(sent.get('GroupCoordinator')).toBe(warm);
    } finally {
      await producer.disconnect();
    }
  });

  it('asks again once an answer is older than its lifetime', async () => {
    cacheTransactionCoordinators({ ttlMs: 0 });
    const { producer, sent, transactions } = await countedProducer(kafka, topic);
    try {
      await transactions(5);
      // At least one per request; a request retried (CONCURRENT_TRANSACTIONS) asks again.
      expect(sent.get('GroupCoordinator')).toBeGreaterThanOrEqual(1 + 2 * 5);
    } finally {
      await producer.disconnect();
    }
  });
});
